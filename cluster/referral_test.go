package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestReferralLimitAcrossNodes: a referral code's uses are its referrer's
// referrals, held as a generated code's rights: friends redeeming it at
// once on three real nodes get no more than max_referrals between them,
// and the code (with its referrer) reaches every node.
func TestReferralLimitAcrossNodes(t *testing.T) {
	rev := testRevision(t, "r1", map[string]string{
		"refer": `{"referral": {"referrer_points": {"default": 10}, "max_referrals": {"default": 3}},
			"effects": [{"type": "amount_off", "amount": 100}]}`,
	})
	f := newFleet(t, 3, rev)
	ref, err := f.nodes[0].eng.IssueReferral(context.Background(), &policies.ReferralAsk{Campaign: "refer", CustomerID: "alice"})
	if err != nil || ref.Remaining == nil || *ref.Remaining != 3 {
		t.Fatalf("referral %+v %v", ref, err)
	}
	f.eventually(10*time.Second, "the referral code replicated with its referrer", func() bool {
		for _, tn := range f.nodes {
			if c, err := tn.st.Code(context.Background(), ref.Code); err != nil || c.Owner != "alice" {
				return false
			}
		}
		return true
	})
	var got atomic.Int64
	var wg sync.WaitGroup
	for i := range 9 {
		wg.Go(func() {
			tn := f.nodes[i%3]
			body := fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":"friend-%d"},"codes":[%q],"context":{"now":"2026-11-24T12:00:00Z"}}`, i, ref.Code)
			req, err := tn.eng.Decode([]byte(body))
			if err != nil {
				t.Error(err)
				return
			}
			rc, err := tn.eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint("o", i), IdempotencyKey: fmt.Sprint("ref-", i), Hash: "h"})
			if err != nil {
				t.Error(err)
				return
			}
			var out struct{ Applied []policies.Applied }
			if err := json.Unmarshal(rc.Response, &out); err != nil {
				t.Error(err)
				return
			}
			for _, a := range out.Applied {
				if a.Campaign == "refer" {
					got.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got.Load() != 3 {
		t.Fatalf("%d friends got the referral, want max_referrals = 3", got.Load())
	}
}
