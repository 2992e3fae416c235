package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

func hold(id, key, customer string, ttl time.Duration, camps ...policies.RedeemedCampaign) *policies.Redemption {
	r := redemption(id, key, customer, camps...)
	exp := time.Now().Add(ttl)
	r.Status, r.ExpiresAt = policies.Held, &exp
	return r
}

// TestHoldIsDurable: a hold stands across a restart, and one whose expiry
// passed while the file was closed is released at once when it opens.
func TestHoldIsDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	ctx := context.Background()
	a := policies.RedeemedCampaign{Campaign: "a", Amount: 10, Limits: policies.Limits{Redemptions: 2}}
	s := open(t, path)
	for _, r := range []*policies.Redemption{hold("rs_long", "k1", "u", time.Hour, a), hold("rs_short", "k2", "v", 300*time.Millisecond, a)} {
		if _, _, ex, err := s.Commit(ctx, r); err != nil || ex != nil {
			t.Fatal(ex, err)
		}
	}
	s.Close()
	time.Sleep(400 * time.Millisecond) // rs_short expires while closed
	s = open(t, path)
	deadline := time.Now().Add(time.Second)
	for {
		r, err := s.Reservation(ctx, "rs_short")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == policies.HoldExpired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("an expired hold stood a second after the file opened: %+v", r)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if r, _ := s.Reservation(ctx, "rs_long"); r.Status != policies.Held {
		t.Fatalf("the long hold after a restart: %+v", r)
	}
	if u, _ := s.Used(ctx, "a", "u"); u.Redemptions != 1 || u.Customer != 1 {
		t.Fatalf("usage after restart %+v: the long hold alone", u)
	}
}

// TestExpiryKeepsUp: thousands of holds expiring at once are all released
// within a second, while a far one stands; the index holds only what
// stands.
func TestExpiryKeepsUp(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	const n = 1000
	a := policies.RedeemedCampaign{Campaign: "a", Amount: 1}
	exp := time.Now().Add(2 * time.Second)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			r := hold(fmt.Sprintf("rs_%d", i), fmt.Sprintf("k%d", i), "u", 0, a)
			r.ExpiresAt = &exp
			_, _, _, err := s.Commit(ctx, r)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := s.Commit(ctx, hold("rs_far", "far", "u", time.Hour, a)); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.Used(ctx, "a", ""); u.Redemptions != n+1 {
		t.Fatalf("held %d, want %d", u.Redemptions, n+1)
	}
	for {
		u, _ := s.Used(ctx, "a", "")
		if u.Redemptions == 1 {
			break
		}
		if time.Now().After(exp.Add(time.Second)) {
			t.Fatalf("%d holds stand a second after they expired", u.Redemptions-1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for deadline := time.Now().Add(time.Second); ; time.Sleep(5 * time.Millisecond) { // its last run ends after its last commit
		if k := s.expiry.nextKnown(); k.After(exp.Add(30 * time.Minute)) {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the expirer waits for %v, want the far hold's expiry", k)
		}
	}
}
