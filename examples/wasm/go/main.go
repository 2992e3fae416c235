//go:build wasip1

// Command volume is the "volume" promotion rule as a custom wasm module in
// Go: 5% off the cart for every unit past the second, up to 25%, for carts
// of at least 3 units.
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o volume_go.wasm .
//
// c-shared makes a reactor: the host runs _initialize (the Go runtime and
// package init) once per instance, then calls alloc and evaluate for every
// request.
package main

import (
	"encoding/json"
	"unsafe"
)

// input is what the rule reads of the input document; the rest is ignored.
type input struct {
	Cart struct {
		Items []struct {
			Quantity int64 `json:"quantity"`
		} `json:"items"`
	} `json:"cart"`
}

type effect struct {
	Type    string `json:"type"`
	Percent int64  `json:"percent"`
	Scope   string `json:"scope"`
}

type verdict struct {
	Eligible bool     `json:"eligible"`
	Reasons  []string `json:"reasons,omitempty"`
	Effects  []effect `json:"effects,omitempty"`
}

// in and out stay referenced between the host's calls, so the garbage
// collector keeps them where the host reads and writes.
var in, out []byte

//go:wasmexport alloc
func alloc(n uint32) unsafe.Pointer {
	in = make([]byte, n)
	return unsafe.Pointer(unsafe.SliceData(in))
}

//go:wasmexport evaluate
func evaluate(ptr unsafe.Pointer, n uint32) uint64 {
	out = decide(unsafe.Slice((*byte)(ptr), n))
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(out))))<<32 | uint64(len(out))
}

func decide(doc []byte) []byte {
	var req input
	if err := json.Unmarshal(doc, &req); err != nil {
		b, _ := json.Marshal(map[string]string{"error": err.Error()}) // no "eligible": the host reports it
		return b
	}
	var units int64
	for _, it := range req.Cart.Items {
		units += it.Quantity
	}
	v := verdict{Eligible: units >= 3}
	if v.Eligible {
		v.Effects = []effect{{Type: "percent_off", Percent: min(5*(units-2), 25), Scope: "cart"}}
	} else {
		v.Reasons = []string{"needs at least 3 units in the cart"}
	}
	b, _ := json.Marshal(v)
	return b
}

func main() {}
