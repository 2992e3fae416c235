package wasm_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/wasm"
)

// forms are the ways the "volume" rule is decided in the benchmarks, by
// campaign id prefix: the Rego rule (as Rego, and as OPA-wasm in the
// bundle's wasm form), the C and Go guests, and a guest that answers a
// constant (the host's own overhead).
var forms = []struct{ prefix, doc string }{
	{"rego", `"rule": "volume"`},
	{"c", `"wasm": "volume_c"`},
	{"go", `"wasm": "volume_go", "wasm_timeout_ms": 100`},
	{"const", `"wasm": "const"`},
}

// formsBundle writes a bundle with n campaigns of each form and returns its
// Rego form and its wasm form (bundle.BuildWasm).
func formsBundle(t testing.TB, n int) (regoRev, wasmRev *policies.Revision) {
	t.Helper()
	guestDir := guests(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".manifest"), `{"revision": "forms", "roots": ["promo"]}`)
	rego, err := os.ReadFile("testdata/volume.rego")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "promo", "rules", "volume.rego"), string(rego))
	for name, from := range map[string]string{
		"volume_c": filepath.Join(guestDir, "promo", "wasm", "volume_c.wasm"), "volume_go": filepath.Join(guestDir, "promo", "wasm", "volume_go.wasm"),
		"const": "testdata/const.wasm",
	} {
		bin, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "promo", "wasm", name+".wasm"), string(bin))
	}
	for _, f := range forms {
		for i := range n {
			write(t, filepath.Join(dir, "promo", "campaigns", fmt.Sprintf("%s-%02d", f.prefix, i), "data.json"),
				fmt.Sprintf(`{"name": "Volume %d", %s, "effects": [{"type": "percent_off", "percent": 5, "scope": "cart"}]}`, i, f.doc))
		}
	}
	ctx := context.Background()
	if regoRev, err = bundle.LoadPathWith(ctx, loadConfig(dir, nil), dir); err != nil {
		t.Fatal(err)
	}
	var tar bytes.Buffer
	if err := bundle.BuildWasm(ctx, dir, &tar); err != nil {
		t.Fatal(err)
	}
	if wasmRev, err = bundle.LoadTarball(ctx, loadConfig("forms.tar.gz", nil), &tar); err != nil {
		t.Fatal(err)
	}
	return regoRev, wasmRev
}

// cart20 is a request with a 20-line cart, a customer and a context.
func cart20() []byte {
	var items []string
	for i := range 20 {
		items = append(items, fmt.Sprintf(`{"id":"l%d","sku":"SKU-%04d","categories":["cat-%d","all"],"quantity":%d,"unit_price":%d,"attributes":{"brand":"acme","color":"c%d"}}`,
			i+1, i, i%5, 1+i%3, 999+i*100, i%4))
	}
	return []byte(`{"cart":{"id":"c-20","currency":"USD","items":[` + strings.Join(items, ",") + `],"shipping":{"method":"standard","amount":599}},` +
		`"customer":{"id":"u-42","tier":"vip","segments":["newsletter"],"country":"IE","orders_count":7},` +
		`"context":{"now":"2026-11-24T12:00:00Z","channel":"web","store_id":"berlin-1"},"codes":[]}`)
}

func request(t testing.TB) *policies.Request {
	t.Helper()
	req, err := policies.DecodeRequest(cart20(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func campaignsOf(rev *policies.Revision, prefix string, n int) []*policies.Campaign {
	var out []*policies.Campaign
	for _, c := range rev.Campaigns() {
		if strings.HasPrefix(c.ID, prefix+"-") && len(out) < n {
			out = append(out, c)
		}
	}
	return out
}

// TestFormsAgree: the Rego rule, its OPA-wasm form and the C and Go guests
// give the same verdicts on carts of 0 to 9 units.
func TestFormsAgree(t *testing.T) {
	regoRev, wasmRev := formsBundle(t, 1)
	for units := range 10 {
		body := cart(units) + "}"
		if units == 0 {
			body = `{"cart":{"currency":"USD","items":[]},"context":{"now":"2026-11-24T12:00:00Z"}}`
		}
		req, err := policies.DecodeRequest([]byte(body), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var want string
		for _, f := range []struct {
			name, prefix string
			rev          *policies.Revision
		}{{"rego", "rego", regoRev}, {"opa-wasm", "rego", wasmRev}, {"c", "c", regoRev}, {"go", "go", regoRev}} {
			cs := campaignsOf(f.rev, f.prefix, 1)
			out := make([]policies.Verdict, 1)
			if err := f.rev.Rules().Decide(context.Background(), req, cs, out); err != nil || out[0].Err != nil {
				t.Fatalf("%s: %v %v", f.name, err, out[0].Err)
			}
			got := fmt.Sprintf("%v %v %+v", out[0].Eligible, out[0].Reasons, out[0].Effects)
			if want == "" {
				want = got
			} else if got != want {
				t.Errorf("%d units: %s says %s, rego %s", units, f.name, got, want)
			}
		}
	}
}

// BenchmarkHostOverhead is the cost of one custom module call for a
// 20-line cart with a guest that answers a constant: input encoded and
// copied in, instance from the pool, output read back and decoded. It
// reports the median and the 99th percentile.
func BenchmarkHostOverhead(b *testing.B) {
	rev, _ := formsBundle(b, 1)
	req := request(b)
	cs := campaignsOf(rev, "const", 1)
	out := make([]policies.Verdict, 1)
	took := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if err := rev.Rules().Decide(context.Background(), req, cs, out); err != nil || out[0].Err != nil {
			b.Fatal(err, out[0].Err)
		}
		took = append(took, time.Since(start))
	}
	reportPercentiles(b, took)
}

func reportPercentiles(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	if len(took) == 0 {
		return
	}
	b.ReportMetric(float64(took[len(took)/2])/1e3, "µs-median")
	b.ReportMetric(float64(took[len(took)*99/100])/1e3, "µs-p99")
}

// BenchmarkGuests is the same rule, for the same 20-line cart, in each
// guest language (and the constant guest), one campaign per call.
func BenchmarkGuests(b *testing.B) {
	rev, _ := formsBundle(b, 1)
	req := request(b)
	for _, f := range forms[1:] {
		b.Run(f.prefix, func(b *testing.B) {
			cs := campaignsOf(rev, f.prefix, 1)
			out := make([]policies.Verdict, 1)
			took := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				if err := rev.Rules().Decide(context.Background(), req, cs, out); err != nil || out[0].Err != nil {
					b.Fatal(err, out[0].Err)
				}
				took = append(took, time.Since(start))
			}
			reportPercentiles(b, took)
		})
	}
}

// BenchmarkForms decides the same campaigns (1 and 10 of them, each with
// the volume rule) as Rego, as OPA-wasm, and as custom wasm in C and Go, in
// one run, and reports each form's time relative to Rego (x-rego).
func BenchmarkForms(b *testing.B) {
	regoRev, wasmRev := formsBundle(b, 10)
	req := request(b)
	for _, n := range []int{1, 10} {
		perOp := map[string]float64{}
		for _, f := range []struct {
			name, prefix string
			rev          *policies.Revision
		}{{"rego", "rego", regoRev}, {"opa-wasm", "rego", wasmRev}, {"wasm-c", "c", regoRev}, {"wasm-go", "go", regoRev}} {
			b.Run(fmt.Sprintf("%s/campaigns=%d", f.name, n), func(b *testing.B) {
				cs := campaignsOf(f.rev, f.prefix, n)
				out := make([]policies.Verdict, n)
				start := time.Now()
				for b.Loop() {
					if err := f.rev.Rules().Decide(context.Background(), req, cs, out); err != nil || out[0].Err != nil {
						b.Fatal(err, out[0].Err)
					}
				}
				perOp[f.name] = float64(time.Since(start).Nanoseconds()) / float64(b.N)
				if r := perOp["rego"]; r > 0 {
					b.ReportMetric(perOp[f.name]/r, "x-rego")
				}
			})
		}
	}
}

// BenchmarkPool64 runs 64 concurrent requests on one module's pool: the
// pool never holds more than Config.Instances instances, and the memory
// of the process is reported.
func BenchmarkPool64(b *testing.B) {
	rev, _ := formsBundle(b, 1)
	ev := rev.Rules().(*policies.Router).Backend(bundle.BackendWasm).(*wasm.Evaluator)
	req := request(b)
	for _, f := range forms[1:3] {
		b.Run(f.prefix, func(b *testing.B) {
			cs := campaignsOf(rev, f.prefix, 1)
			mod, _ := ev.Module(cs[0].Wasm)
			before := rss(b)
			var peak sync.Map
			b.SetParallelism(64 / runtime.GOMAXPROCS(0))
			b.RunParallel(func(pb *testing.PB) {
				out := make([]policies.Verdict, 1)
				for pb.Next() {
					if err := rev.Rules().Decide(context.Background(), req, cs, out); err != nil || out[0].Err != nil {
						b.Error(err, out[0].Err)
						return
					}
					peak.Store(mod.Live(), true)
				}
			})
			most := 0
			peak.Range(func(k, _ any) bool { most = max(most, k.(int)); return true })
			after := rss(b)
			if most > wasm.DefaultConfig().Instances {
				b.Errorf("%d live instances, more than the pool's %d", most, wasm.DefaultConfig().Instances)
			}
			b.ReportMetric(float64(most), "instances")
			b.ReportMetric(float64(after)/(1<<20), "MiB-rss")
			b.ReportMetric(float64(int64(after)-int64(before))/(1<<20), "MiB-rss-growth")
		})
	}
}
