package policies_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// fakeCommitter finds the limits of campaign "c" exhausted for the first
// exhaust commits, then commits.
type fakeCommitter struct {
	exhaust int
	commits []*policies.Redemption
}

func (f *fakeCommitter) Commit(_ context.Context, r *policies.Redemption) (*policies.Redemption, bool, map[string]policies.Reason, error) {
	f.commits = append(f.commits, r)
	if len(f.commits) <= f.exhaust {
		for _, c := range r.Campaigns {
			if c.Campaign == "c" {
				return nil, false, map[string]policies.Reason{"c": policies.LimitExhausted}, nil
			}
		}
	}
	return r, false, nil, nil
}

func (f *fakeCommitter) Replay(context.Context, string) (*policies.Redemption, bool, error) {
	return nil, false, nil
}

func (f *fakeCommitter) Rollback(context.Context, string, time.Time) (*policies.Redemption, error) {
	return nil, policies.ErrUnknownRedemption
}

// fakeSupplier brings rights or not, and counts the asks.
type fakeSupplier struct {
	brings bool
	asked  int
	since  []time.Time
}

func (f *fakeSupplier) Supply(_ context.Context, _ *policies.Redemption, _ map[string]policies.Reason, since time.Time) bool {
	f.asked++
	f.since = append(f.since, since)
	return f.brings
}

func limitedRevision(t *testing.T) *policies.Revision {
	t.Helper()
	fsys := fstest.MapFS{
		".manifest":                   {Data: []byte(`{"revision":"r1","roots":["promo"]}`)},
		"promo/campaigns/c/data.json": {Data: []byte(`{"name":"c","effects":[{"type":"amount_off","amount":100}],"limits":{"redemptions":5}}`)},
	}
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "test"}, fsys)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestRedeemOneRetryLoop: a commit that found a limit exhausted is
// retried as it is when the supplier brings the rights (one pricing, the
// same redemption, one deadline), and re-priced without the campaign when
// it does not.
func TestRedeemOneRetryLoop(t *testing.T) {
	for _, tc := range []struct {
		name            string
		brings          bool
		commits, prices int
		applied         bool
	}{
		{"rights come", true, 3, 1, true},
		{"rights do not come", false, 2, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			com := &fakeCommitter{exhaust: 2}
			if !tc.brings {
				com.exhaust = 1
			}
			sup := &fakeSupplier{brings: tc.brings}
			eng := policies.NewEngine(policies.Config{Committer: com, Supplier: sup})
			eng.Swap(limitedRevision(t))
			req, err := eng.Decode([]byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"context":{"now":"2026-11-24T12:00:00Z"}}`))
			if err != nil {
				t.Fatal(err)
			}
			rc, err := eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: "o", IdempotencyKey: "k", Hash: "h"})
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, r := range com.commits {
				ids[r.ID] = true
			}
			if len(com.commits) != tc.commits || len(ids) != tc.prices {
				t.Errorf("%d commits of %d pricings, want %d of %d", len(com.commits), len(ids), tc.commits, tc.prices)
			}
			for _, s := range sup.since[1:] {
				if !s.Equal(sup.since[0]) {
					t.Errorf("the supplier's deadline moved: %v then %v", sup.since[0], s)
				}
			}
			if got := len(rc.Redemption.Campaigns) > 0; got != tc.applied {
				t.Errorf("campaign applied: %v, want %v", got, tc.applied)
			}
		})
	}
}

// TestNothingPricedWithoutARevision: before a bundle is active, evaluate,
// a shadow's evaluate on no revision and a redemption answer
// ErrNoRevision and commit nothing.
func TestNothingPricedWithoutARevision(t *testing.T) {
	com := &fakeCommitter{}
	eng := policies.NewEngine(policies.Config{Committer: com})
	req, err := eng.Decode([]byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := eng.Evaluate(ctx, req); !errors.Is(err, policies.ErrNoRevision) {
		t.Errorf("Evaluate: %v", err)
	}
	if _, err := eng.EvaluateOn(ctx, nil, req); !errors.Is(err, policies.ErrNoRevision) {
		t.Errorf("EvaluateOn: %v", err)
	}
	if _, err := eng.Redeem(ctx, &policies.RedeemRequest{Request: req, OrderID: "o", IdempotencyKey: "k", Hash: "h"}); !errors.Is(err, policies.ErrNoRevision) {
		t.Errorf("Redeem: %v", err)
	}
	if len(com.commits) != 0 {
		t.Errorf("%d commits without a revision", len(com.commits))
	}
}
