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
// throughput in the same run). As BenchmarkRedeemRewardSpend does, the
// two kinds run in alternating rounds of a fixed time, each on a fresh
// store, and the figure is the median of the rounds' ratios (card-ratio),
// with each kind's median throughput and p50/p99. Each client slot has
// its own card, as checkouts do, so the run measures a card's read,
// pricing, debit and ledger entry rather than 64 carts queueing on one
// balance (TestGiftCardConcurrentRedeems covers that).
func BenchmarkRedeemGiftCard(b *testing.B) {
	const rounds, clients = 5, 64
	slice := 700 * time.Millisecond
	var ratios []float64
	var tput [2][]float64
	var lat [2][]time.Duration
	for b.Loop() {
		for range rounds {
			var perSec [2]float64
			for k, card := range []bool{false, true} {
				n, l := redeemCardRound(b, card, clients, slice)
				perSec[k] = float64(n) / slice.Seconds()
				tput[k] = append(tput[k], perSec[k])
				lat[k] = append(lat[k], l...)
			}
			ratios = append(ratios, perSec[1]/perSec[0])
		}
	}
	median := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	b.ReportMetric(median(ratios), "card-ratio")
	for k, name := range []string{"plain", "card"} {
		slices.Sort(lat[k])
		b.ReportMetric(median(tput[k]), name+"-redeems/s")
		b.ReportMetric(float64(lat[k][len(lat[k])/2].Microseconds()), name+"-p50-µs")
		b.ReportMetric(float64(lat[k][len(lat[k])*99/100].Microseconds()), name+"-p99-µs")
	}
}

// redeemCardRound runs clients redeemers for d on a fresh store (with 64
// cards when card is set), and returns how many redeems completed and
// their latencies.
func redeemCardRound(b *testing.B, card bool, clients int, d time.Duration) (int, []time.Duration) {
	_, st := walletEngine(b, false)
	e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st, GiftCards: st})
	e.Swap(revisionWithCards(b))
	var codes []string
	if card {
		sp := policies.CodeSpec{Count: 64, Pattern: "B-######", Card: &policies.CardTerms{Amount: policies.MaxAmount}}
		if err := st.Generate(context.Background(), "gift", sp, func(c []string) error { codes = append(codes, c...); return nil }); err != nil {
			b.Fatal(err)
		}
	}
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) {
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
	}
	wg.Wait()
	st.Close()
	return len(lat), lat
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
