package sidecar_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// BenchmarkRedeemGiftCard: redeems at 64 clients, plain and paying with
// one gift card each (the bound: at least 0.8× the plain
// throughput in the same run); p50 and p99 are reported. Each client
// slot has its own card, as checkouts do, so the run measures the card's
// read, pricing, debit and ledger entry rather than 64 carts queueing on
// one balance.
func BenchmarkRedeemGiftCard(b *testing.B) {
	for _, card := range []bool{false, true} {
		e, st := walletEngine(b, false)
		e = policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st, GiftCards: st})
		e.Swap(revisionWithCards(b))
		var codes []string
		if card {
			sp := policies.CodeSpec{Count: 64, Pattern: "B-######", Card: &policies.CardTerms{Amount: policies.MaxAmount}}
			if err := st.Generate(context.Background(), "gift", sp, func(c []string) error { codes = append(codes, c...); return nil }); err != nil {
				b.Fatal(err)
			}
		}
		var seq atomic.Int64
		b.Run(fmt.Sprintf("card=%v", card), func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(max(1, 64/runtimeProcs()))
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					n := seq.Add(1)
					body := checkout("", fmt.Sprintf("u-%d", n%64))
					if card {
						body = strings.Replace(body, `"rewards":[]`, fmt.Sprintf(`"rewards":[],"codes":[%q]`, codes[n%64]), 1)
					}
					req, err := policies.DecodeRequest([]byte(body), time.Now())
					if err != nil {
						b.Error(err)
						return
					}
					rr := &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint(n), IdempotencyKey: fmt.Sprint("k", n), Hash: "h"}
					start := time.Now()
					if _, err := e.Redeem(context.Background(), rr); err != nil {
						b.Error(err)
						return
					}
					mine = append(mine, time.Since(start))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
}

// revisionWithCards is the wallet benchmark's campaigns plus a gift card
// program without a rule.
func revisionWithCards(b *testing.B) *policies.Revision {
	b.Helper()
	var cs []*policies.Campaign
	for id, doc := range map[string]map[string]any{
		"ten":  {"effects": []any{map[string]any{"type": "percent_off", "percent": json.Number("10")}}},
		"gift": {"unique_codes": true, "gift_card": map[string]any{"amount": json.Number("1000")}},
	} {
		c, err := policies.ParseCampaign(id, doc)
		if err != nil {
			b.Fatal(err)
		}
		cs = append(cs, c)
	}
	rev, err := policies.NewRevision("gb", "bench", cs, nil)
	if err != nil {
		b.Fatal(err)
	}
	return rev
}
