# promoedge: `make run` starts the sidecar on the embedded example bundle,
# `make test` runs every test. Everything else the project needs is fetched
# by these targets themselves (Go modules from the module proxy).

GO        ?= go
SHELL     := /bin/bash
# A benchmark piped into tee still fails the target when it fails.
.SHELLFLAGS := -eo pipefail -c
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN       := bin
LISTEN    ?= 127.0.0.1:8181
ADMIN_TOKEN ?=
BENCHTIME ?= 2s
# CI runs on 2 cores; race detector and fuzz seeds run in `make test`.
TESTFLAGS ?= -race -timeout 9m

.PHONY: all build run test wasm-tools ui-tools wasm-examples bench bench-go bench-http bench-opa bench-catalog bench-redeem bench-table soak lint fmt vet clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN)/promoedge ./cmd/promoedge
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN)/promoctl ./cmd/promoctl

run: build
	$(BIN)/promoedge serve --listen $(LISTEN) --data ./data $(if $(ADMIN_TOKEN),--admin-token $(ADMIN_TOKEN))

test: wasm-tools ui-tools
	@./scripts/check-tracked-size.sh
	@if command -v python3 >/dev/null; then ./scripts/check-docs.py; else echo "python3 not found: docs links not checked"; fi
	$(GO) vet ./...
	$(GO) test $(TESTFLAGS) ./...

# clang, lld and wabt for the wasm examples and test modules (apt-get when
# missing); the tests skip, saying why, if they cannot be installed.
wasm-tools:
	-@$(MAKE) -s -C examples/wasm tools

# Chromium for the dashboard's browser test (apt-get when missing).
ui-tools:
	-@bash scripts/chromium.sh

# The example bundle's wasm rules (Go and C), built from source.
wasm-examples:
	$(MAKE) -C examples/wasm

# In-process benchmarks (evaluate on 10/100/1000-campaign bundles), then the
# HTTP load test and the side-by-side runs against a plain OPA server, on
# bundles the repository writes itself (scripts/gen-bundle.py,
# scripts/gen-catalog.py). It ends with one table of promoedge against its
# peers (bench-table). BENCH_N and BENCH_SECS size the OPA runs.
BENCH_N    ?= 1000
BENCH_SECS ?= 10

bench: bench-go bench-http bench-opa bench-catalog bench-redeem
	@./scripts/bench-table.sh

bench-go: wasm-tools
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

bench-http: build
	@mkdir -p .bench
	./scripts/bench-http.sh | tee .bench/http.txt

# promoedge's evaluate against OPA's eligibility answer for the same rules:
# small Rego rules, mixed and all automatic.
bench-opa: build
	@mkdir -p .bench
	./scripts/bench-opa.sh evaluate $(BENCH_N) $(BENCH_SECS) | tee .bench/opa-mixed.txt
	./scripts/bench-opa.sh evaluate $(BENCH_N) $(BENCH_SECS) --all-auto | tee .bench/opa-all-auto.txt

# The same on a marketer's catalog: every campaign has its own when: block,
# and OPA runs the Rego that promoctl build generates from them.
bench-catalog: build
	@mkdir -p .bench
	./scripts/bench-opa.sh catalog $(BENCH_N) $(BENCH_SECS) | tee .bench/catalog-mixed.txt
	./scripts/bench-opa.sh catalog $(BENCH_N) $(BENCH_SECS) --all-auto | tee .bench/catalog-all-auto.txt

# Durable redemptions: group commit vs one commit per redemption vs Redis
# (appendfsync always), and POST /v1/redemptions over HTTP.
bench-redeem:
	@mkdir -p .bench
	./scripts/bench-redeem.sh | tee .bench/redeem.txt

# The comparison table from the last runs saved in .bench/.
bench-table:
	@./scripts/bench-table.sh

# Long reliability runs: the crash test over many kill -9 cycles.
soak:
	SOAK_CYCLES=$${SOAK_CYCLES:-20} $(GO) test -run TestCrashLosesNothingAcknowledged -count 1 -timeout 30m -v ./cmd/promoedge/
	CLUSTER_SOAK=$${CLUSTER_SOAK:-10m} $(GO) test -run TestClusterSoak -count 1 -timeout 40m -v ./cluster/
	./scripts/soak-netns.sh $${SOAK_NODES:-5} $${SOAK_SECONDS:-600}

lint: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

fmt:
	gofmt -w .

clean:
	rm -rf $(BIN)
