package policies_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// BenchmarkBestDeal prices a cart with four campaigns of four effect
// types competing in one best-deal group, against the same four stacked,
// in the same run: a group prices each member on the same cart and
// applies the winner's outcome as it was kept (best.go), where a stack
// prices each on what the ones before it left.
func BenchmarkBestDeal(b *testing.B) {
	effects := []string{
		`[{"type":"percent_off","percent":10}]`,
		`[{"type":"amount_off","amount":1000}]`,
		`[{"type":"fixed_price","price":8000,"filter":{"skus":["BAG-1"]}}]`,
		`[{"type":"buy_x_get_y","buy":{"filter":{"skus":["SOCK-1"]},"quantity":2},"get":{"filter":{"skus":["SOCK-1"]},"quantity":1}}]`,
	}
	body := []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"BAG-1","quantity":1,"unit_price":10000},
		{"id":"l2","sku":"SOCK-1","quantity":3,"unit_price":500}],"shipping":{"amount":800}},"context":{"now":"2026-11-24T12:00:00Z"}}`)
	for _, mode := range []struct{ name, stacking string }{
		{"stacked", `"stacking":"stackable"`},
		{"best", `"stacking":"best","group":"g"`},
	} {
		b.Run(mode.name, func(b *testing.B) {
			fsys := fstest.MapFS{".manifest": {Data: []byte(`{"revision":"r1","roots":["promo"]}`)}}
			for i, e := range effects {
				fsys["promo/campaigns/c"+string(rune('a'+i))+"/data.json"] = &fstest.MapFile{Data: []byte(`{` + mode.stacking + `,"effects":` + e + `}`)}
			}
			rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "bench"}, fsys)
			if err != nil {
				b.Fatal(err)
			}
			eng := policies.NewEngine(policies.Config{})
			eng.Swap(rev)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				req, err := eng.Decode(body)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := eng.Evaluate(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
