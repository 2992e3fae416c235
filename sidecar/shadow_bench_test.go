package sidecar_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
	"github.com/promoedge/promoedge/sidecar"
)

// BenchmarkShadowOverhead is POST /v1/evaluate with and without a shadow
// bundle, measured in the same run: blocks of requests alternate between
// no shadow and a shadow bundle (the same 100 campaigns, another
// revision) pricing every answer again on its worker, so that both see
// the same machine load. It reports each side's median latency and their
// ratio (shadow-median/none-median; SPEC §11 asks it stay under 1.10).
func BenchmarkShadowOverhead(b *testing.B) {
	dir := b.TempDir()
	body, err := bundletest.Write(dir, 100, bundletest.Mixed)
	if err != nil {
		b.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	act := activation.New(activation.Config{}, e)
	b.Cleanup(act.Close)
	if _, err := act.Path(context.Background(), dir); err != nil {
		b.Fatal(err)
	}
	candidate := tarDir(b, dir)
	srv, err := sidecar.New(sidecar.DefaultConfig(), sidecar.Deps{Engine: e, Bundles: act})
	if err != nil {
		b.Fatal(err)
	}
	client := serveInMemory(b, srv)
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://sidecar/v1/evaluate")
	req.Header.SetMethod("POST")
	req.Header.SetContentType("application/json")
	req.SetBody(body)
	one := func() time.Duration {
		start := time.Now()
		if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
			b.Fatalf("%v %d %s", err, resp.StatusCode(), resp.Body())
		}
		return time.Since(start)
	}
	for range 200 { // warm up: pools, caches
		one()
	}

	const block = 100
	var none, shadow []time.Duration
	var compared, dropped int64 // by the shadows of the blocks ended
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		side := &none
		if (i/block)%2 == 1 {
			side = &shadow
		}
		if i%block == 0 { // a new block: load or drop the shadow, untimed
			b.StopTimer()
			if side == &shadow {
				if _, err := act.LoadShadow(context.Background(), "bench", candidate); err != nil {
					b.Fatal(err)
				}
			} else if rep, err := act.DropShadow(); err == nil {
				compared, dropped = compared+rep.Compared, dropped+rep.Dropped
			}
			runtime.GC() // the load's garbage, collected outside both sides
			b.StartTimer()
		}
		*side = append(*side, one())
	}
	if len(shadow) == 0 {
		return // too few iterations for a shadow block
	}
	mn, ms := quantile(none, 0.5), quantile(shadow, 0.5)
	b.ReportMetric(float64(mn.Microseconds()), "none-median-µs")
	b.ReportMetric(float64(ms.Microseconds()), "shadow-median-µs")
	b.ReportMetric(float64(ms)/float64(mn), "shadow/none")
	b.ReportMetric(float64(quantile(shadow, 0.9))/float64(quantile(none, 0.9)), "shadow/none-p90")
	if rep, ok := act.Shadow(); ok {
		compared, dropped = compared+rep.Compared, dropped+rep.Dropped
	}
	// What the shadows priced again of the answers they were offered (the
	// last few of a block may be cut off by its drop).
	b.ReportMetric(float64(compared)/float64(len(shadow)), "compared-frac")
	b.ReportMetric(float64(dropped)/float64(len(shadow)), "dropped-frac")
}

func quantile(d []time.Duration, q float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// tarDir is a bundle directory as a .tar.gz.
func tarDir(b *testing.B, dir string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if err := tw.WriteHeader(&tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}
