package activation

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

func request(t testing.TB, e *policies.Engine, customer string) *policies.Request {
	t.Helper()
	req, err := e.Decode([]byte(`{"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1000}]},"customer":{"id":"` + customer + `"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestShadowQueueDrops offers answers faster than the worker prices them:
// a full queue drops and counts, Offer never waits, and every answer
// offered is either compared or dropped.
func TestShadowQueueDrops(t *testing.T) {
	a, e := newActivator(t, Config{ShadowQueue: 1, ShadowSamples: 3, ShadowSalt: "salt"})
	t.Cleanup(a.Close)
	if _, err := a.Tarball(context.Background(), "live", simple(t, "live", 10)); err != nil {
		t.Fatal(err)
	}
	req := request(t, e, "u-1")
	live, err := e.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	a.Offer(req, live) // no shadow: nothing happens
	if _, ok := a.Shadow(); ok {
		t.Fatal("a report with no shadow loaded")
	}
	if _, err := a.LoadShadow(context.Background(), "candidate", simple(t, "candidate", 20)); err != nil {
		t.Fatal(err)
	}
	const offered = 500
	start := time.Now()
	for range offered {
		a.Offer(req, live)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("offering %d answers took %v: Offer must not wait for the worker", offered, took)
	}
	var rep ShadowReport
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if rep, _ = a.Shadow(); rep.Compared+rep.Dropped == offered {
			break
		}
	}
	if rep.Compared+rep.Dropped != offered || rep.Dropped == 0 || rep.Compared == 0 {
		t.Fatalf("compared %d + dropped %d, want %d with some of each", rep.Compared, rep.Dropped, offered)
	}
	if rep.Differ != rep.Compared || rep.DiscountDelta != 100*rep.Compared || int64(len(rep.Samples)) != min(3, rep.Compared) {
		t.Errorf("10%% vs 20%% of 1000: differ %d of %d, delta %d, %d samples (want at most 3)", rep.Differ, rep.Compared, rep.DiscountDelta, len(rep.Samples))
	}
	// HMAC-SHA256 of the id keyed with ShadowSalt, its first 8 bytes in
	// hex, worked out here and not by hashCustomer.
	mac := hmac.New(sha256.New, []byte("salt"))
	mac.Write([]byte("u-1"))
	if h, want := rep.Samples[0].Customer, hex.EncodeToString(mac.Sum(nil)[:8]); h != want {
		t.Errorf("sample customer %q: want %q, the hash of u-1 keyed with the salt", h, want)
	}
	if active(e) != "live" {
		t.Errorf("a shadow changed the active revision to %s", active(e))
	}
}

// TestShadowRefusedChangesNothing: a candidate that does not load leaves
// the shadow before it running, and the status (and last error) alone.
func TestShadowRefusedChangesNothing(t *testing.T) {
	a, e := newActivator(t, Config{})
	t.Cleanup(a.Close)
	if _, err := a.Tarball(context.Background(), "live", simple(t, "live", 10)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.PromoteShadow(); !errors.Is(err, ErrNoShadow) {
		t.Fatalf("promote with no shadow: %v", err)
	}
	if _, err := a.DropShadow(); !errors.Is(err, ErrNoShadow) {
		t.Fatalf("drop with no shadow: %v", err)
	}
	if _, err := a.LoadShadow(context.Background(), "one", simple(t, "one", 20)); err != nil {
		t.Fatal(err)
	}
	before := a.Status()
	bad := tarball(t, map[string]string{"promo/campaigns/c/data.json": `{"rule":"missing","effects":[]}`})
	if _, err := a.LoadShadow(context.Background(), "bad", bad); err == nil {
		t.Fatal("a bad shadow loaded")
	}
	if rep, ok := a.Shadow(); !ok || rep.Revision != "one" {
		t.Errorf("after a refused candidate the shadow is %+v", rep)
	}
	if after := a.Status(); after.LastError != before.LastError || after.Active.Revision != "live" {
		t.Errorf("a refused shadow changed the status: %+v", after)
	}
	act, err := a.PromoteShadow()
	if err != nil || act.Revision != "one" || active(e) != "one" {
		t.Fatalf("promote: %v %+v, active %s", err, act, active(e))
	}
}
