package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestPointsCreditedOnceAndTakenBack: a redemption that earns points
// credits them once (its replay does not), and its rollback takes them
// back once, however often it is asked, leaving both movements listed.
func TestPointsCreditedOnceAndTakenBack(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	c := policies.RedeemedCampaign{Campaign: "c", Amount: 100, Points: 7, Limits: policies.Limits{Redemptions: 5}}
	for range 2 { // the second is a replay
		if _, _, ex, err := s.Commit(ctx, redemption("r1", "k1", "u1", c)); err != nil || ex != nil {
			t.Fatal(ex, err)
		}
	}
	if bal, credits, err := s.Points(ctx, "u1"); err != nil || bal != 7 || len(credits) != 1 || credits[0].Points != 7 || credits[0].Redemption != "r1" {
		t.Fatalf("after redeem and replay: %d %+v %v", bal, credits, err)
	}
	for i := range 2 {
		if _, err := s.Rollback(ctx, "r1", time.Now()); err != nil {
			t.Fatal(err)
		}
		if bal, credits, err := s.Points(ctx, "u1"); err != nil || bal != 0 || len(credits) != 2 || credits[1].Points != -7 {
			t.Fatalf("points after rollback %d: %d %+v %v", i, bal, credits, err)
		}
	}
	if bal, credits, _ := s.Points(ctx, "u2"); bal != 0 || len(credits) != 0 {
		t.Fatalf("another customer: %d %+v", bal, credits)
	}
}
