package sidecar_test

import (
	"context"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
	"github.com/promoedge/promoedge/sidecar"
)

// BenchmarkEvaluateHTTP is POST /v1/evaluate through the fasthttp server on
// an in-memory listener (no TCP), on the workload of scripts/gen-bundle.py: what
// a request costs the sidecar, allocations included (the client reuses its
// request and response and allocates nothing per request).
func BenchmarkEvaluateHTTP(b *testing.B) {
	for _, mix := range []bundletest.Mix{bundletest.Mixed, bundletest.AllAuto} {
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s-%d", mix, n), func(b *testing.B) {
				client, body := serve(b, n, mix)
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				req.SetRequestURI("http://sidecar/v1/evaluate")
				req.Header.SetMethod("POST")
				req.Header.SetContentType("application/json")
				req.SetBody(body)
				b.ReportAllocs()
				start := cpuTime()
				for b.Loop() {
					if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
						b.Fatalf("%v %d %s", err, resp.StatusCode(), resp.Body())
					}
				}
				b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e3, "cpu-µs/op")
			})
		}
	}
}

// serve starts the sidecar on a synthetic bundle of n campaigns and returns
// a client for it and the request body of the workload.
func serve(b *testing.B, n int, mix bundletest.Mix) (*fasthttp.HostClient, []byte) {
	dir := b.TempDir()
	body, err := bundletest.Write(dir, n, mix)
	if err != nil {
		b.Fatal(err)
	}
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	srv, err := sidecar.New(sidecar.DefaultConfig(), sidecar.Deps{Engine: e})
	if err != nil {
		b.Fatal(err)
	}
	return serveInMemory(b, srv), body
}

// serveInMemory serves srv on an in-memory listener until b ends (its
// cleanup stops it before the cleanups registered earlier run) and
// returns a client of it.
func serveInMemory(b *testing.B, srv *sidecar.Server) *fasthttp.HostClient {
	b.Helper()
	ln := fasthttputil.NewInmemoryListener()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
	})
	return &fasthttp.HostClient{Addr: "sidecar", Dial: func(string) (net.Conn, error) { return ln.Dial() }}
}

// cpuTime is the CPU time this process has used (user and system, the
// garbage collector's included): on a shared machine ns/op grows with the
// other processes' load, cpu-µs/op much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
