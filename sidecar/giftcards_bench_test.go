package sidecar_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
	alternateRounds(b, "card", 5, 700*time.Millisecond, func(card bool) []time.Duration {
		return redeemCardRound(b, card, 64, 700*time.Millisecond)
	})
}

// redeemCardRound runs clients redeemers for d on a fresh store (with 64
// cards when card is set), and returns the redeems' latencies.
func redeemCardRound(b *testing.B, card bool, clients int, d time.Duration) []time.Duration {
	_, st := walletEngine(b, false)
	defer st.Close()
	e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st, GiftCards: st})
	e.Swap(revisionWithCards(b))
	var codes []string
	if card {
		sp := policies.CodeSpec{Count: 64, Pattern: "B-######", Card: &policies.CardTerms{Amount: policies.MaxAmount}}
		if err := st.Generate(context.Background(), "gift", sp, func(c []string) error { codes = append(codes, c...); return nil }); err != nil {
			b.Fatal(err)
		}
	}
	return runRedeems(b, e, clients, d, func(n int64) (*policies.Request, error) {
		body := checkout("", fmt.Sprintf("u-%d", n%64))
		if card {
			body = strings.Replace(body, `"rewards":[]`, fmt.Sprintf(`"rewards":[],"codes":[%q]`, codes[n%64]), 1)
		}
		return policies.DecodeRequest([]byte(body), time.Now())
	})
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
