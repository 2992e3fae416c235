package policies_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
)

func TestTTLSeconds(t *testing.T) {
	for _, tc := range []struct {
		body string
		want time.Duration
		bad  bool
	}{
		{`{}`, 900 * time.Second, false},
		{`{"ttl_seconds":1}`, time.Second, false},
		{`{"ttl_seconds":604800}`, 604800 * time.Second, false},
		{`{"ttl_seconds":0}`, 0, true},
		{`{"ttl_seconds":-5}`, 0, true},
		{`{"ttl_seconds":604801}`, 0, true},
		{`{"ttl_seconds":1.5}`, 0, true},
		{`{"ttl_seconds":1e3}`, 0, true},
		{`{"ttl_seconds":"60"}`, 0, true},
		{`{"ttl_seconds":null}`, 0, true},
		{`{"ttl_seconds":99999999999999999999999}`, 0, true},
	} {
		req, err := policies.DecodeRequest([]byte(strings.TrimSuffix(tc.body, "}")+pad(tc.body)+`"cart":{"currency":"USD","items":[]}}`), time.Now())
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		got, err := policies.TTLSeconds(req.Input)
		var re *policies.RequestError
		if tc.bad != (err != nil) || got != tc.want || (err != nil && (!errors.As(err, &re) || re.Field() != "ttl_seconds")) {
			t.Errorf("%s: %v %v", tc.body, got, err)
		}
	}
}

func pad(body string) string {
	if body == "{}" {
		return ""
	}
	return ","
}

// FuzzReservationNode: any id, from a client, parses without panicking,
// and only a reservation's id names a node (that an id made on a node
// names it back: TestReservationIDNamesItsNode).
func FuzzReservationNode(f *testing.F) {
	for _, s := range []string{"", "rs_", "rs_0123.6e31", "rs_x.zz", "rd_123", "rs_1." + hex.EncodeToString([]byte("node-1"))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		node := policies.ReservationNode(id)
		if node != "" && !strings.HasPrefix(id, "rs_") {
			t.Fatalf("%q names node %q", id, node)
		}
	})
}

func TestReservationNode(t *testing.T) {
	for id, want := range map[string]string{
		"rs_0000000000000001aaaaaaaaaaaa." + hex.EncodeToString([]byte("n1")): "n1",
		"rs_0000000000000001aaaaaaaaaaaa":                                     "",
		"rd_0000000000000001aaaaaaaaaaaa.6e31":                                "",
		"rs_1.not-hex":                                                        "",
	} {
		if got := policies.ReservationNode(id); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
}

// fakeHolder is a fakeCommitter that also holds reservations, and
// counts the reads that reached it.
type fakeHolder struct {
	fakeCommitter
	reads int
}

func (h *fakeHolder) CommitHeld(_ context.Context, _, r *policies.Redemption) (*policies.Redemption, bool, map[string]policies.Reason, error) {
	return r, false, nil, nil
}

func (h *fakeHolder) Release(context.Context, string, time.Time, policies.RedemptionStatus) (*policies.Redemption, error) {
	return nil, policies.ErrUnknownReservation
}

func (h *fakeHolder) Reservation(_ context.Context, id string) (*policies.Redemption, error) {
	h.reads++
	for _, r := range h.commits {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, policies.ErrUnknownReservation
}

// TestReservationIDNamesItsNode: a reservation made on a node of a fleet
// has an id that names that node, so another node answers an
// ElsewhereError naming it (an ErrUnknownReservation) without reading its
// own store, and the node that made it reads it.
func TestReservationIDNamesItsNode(t *testing.T) {
	ctx := context.Background()
	h := &fakeHolder{}
	a := policies.NewEngine(policies.Config{Committer: h, Node: "node-a"})
	a.Swap(limitedRevision(t))
	req, err := a.Decode([]byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":"u1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := a.Reserve(ctx, &policies.RedeemRequest{Request: req, OrderID: "o", IdempotencyKey: "k", Hash: "h"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	id := rc.Redemption.ID
	if got := policies.ReservationNode(id); got != "node-a" || !strings.HasPrefix(id, "rs_") {
		t.Fatalf("reservation %q names node %q, want node-a", id, got)
	}
	b := policies.NewEngine(policies.Config{Committer: h, Node: "node-b"})
	b.Swap(limitedRevision(t))
	_, err = b.Reservation(ctx, id)
	var ee *policies.ElsewhereError
	if !errors.As(err, &ee) || ee.Node != "node-a" || !errors.Is(err, policies.ErrUnknownReservation) || h.reads != 0 {
		t.Fatalf("node-b reading %s: %v (%d reads of the store)", id, err, h.reads)
	}
	if r, err := a.Reservation(ctx, id); err != nil || r.ID != id || r.Status != policies.Held || h.reads != 1 {
		t.Fatalf("node-a reading %s: %+v %v", id, r, err)
	}
}

// TestCommitReservationAtItsLimit: a reservation that took a campaign's
// last use commits with the campaign, its hold counted as free, for the
// plain limits and for the per-period ones alike (bbolt in a temp dir).
func TestCommitReservationAtItsLimit(t *testing.T) {
	for _, limits := range []string{`{"redemptions":1}`, `{"per_period":{"period":"day","redemptions":1}}`, `{"per_period":{"period":"week","budget":100}}`} {
		t.Run(limits, func(t *testing.T) {
			rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "test"}, fstest.MapFS{
				".manifest":                   {Data: []byte(`{"revision":"r1","roots":["promo"]}`)},
				"promo/campaigns/c/data.json": {Data: []byte(`{"effects":[{"type":"amount_off","amount":100}],"limits":` + limits + `}`)},
			})
			if err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(store.DefaultConfig(t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st})
			e.Swap(rev)
			ctx := context.Background()
			redeem := func(key string) *policies.RedeemRequest {
				req, err := e.Decode([]byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":"u1"}}`))
				if err != nil {
					t.Fatal(err)
				}
				return &policies.RedeemRequest{Request: req, OrderID: "o-" + key, IdempotencyKey: key, Hash: key}
			}
			held, err := e.Reserve(ctx, redeem("hold"), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if held.Decision.Discount != 100 {
				t.Fatalf("reserve: discount %d, rejected %+v", held.Decision.Discount, held.Decision.Rejected)
			}
			other, err := e.Evaluate(ctx, redeem("other").Request)
			if err != nil {
				t.Fatal(err)
			}
			if other.Discount != 0 {
				t.Fatalf("while held, another cart got %d off", other.Discount)
			}
			rc, err := e.CommitReservation(ctx, held.Redemption.ID, redeem("commit"))
			if err != nil {
				t.Fatal(err)
			}
			if d := rc.Decision; d.Discount != 100 || len(d.Rejected) != 0 {
				t.Fatalf("commit: discount %d, rejected %+v; want the held 100 off", d.Discount, d.Rejected)
			}
		})
	}
}
