module github.com/promoedge/promoedge/examples/wasm/go

go 1.26.0
