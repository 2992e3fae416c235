package store

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// TestBackupWhileCommitting copies the store while redemptions commit:
// the copy opens, its counters match its ledger, and it holds at least
// the redemptions acknowledged before the backup began.
func TestBackupWhileCommitting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, filepath.Join(dir, "p.db"))
	c := policies.RedeemedCampaign{Campaign: "c", Amount: 10, Limits: policies.Limits{Redemptions: 1 << 20}}
	var acked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				if _, _, _, err := s.Commit(ctx, redemption(id, id, "u", c)); err != nil {
					t.Error(err)
					return
				}
				acked.Add(1)
			}
		}()
	}
	for acked.Load() < 50 {
		runtime.Gosched()
	}
	before := acked.Load()
	out := filepath.Join(dir, "backup.db")
	if _, err := s.BackupFile(out); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	b := open(t, out)
	rep, err := b.Check(ctx)
	if err != nil || len(rep.Mismatches) != 0 {
		t.Fatalf("backup check: %+v %v", rep, err)
	}
	if int64(rep.Redemptions) < before {
		t.Fatalf("backup holds %d redemptions, %d were acknowledged before it", rep.Redemptions, before)
	}
	t.Logf("backup of %d redemptions, %d acknowledged in all", rep.Redemptions, acked.Load())
}
