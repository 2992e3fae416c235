package main

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestSeedKill9FindsTheFleet runs three real sidecars, kills the seed n0
// (started without --join, the minter, which holds the rights: the load
// goes to it) with SIGKILL under load and restarts it with its own command line, no
// --join: it must find n1 and n2 again from the members its file
// remembers, so that the limit is used in full from n1 alone within a few
// seconds (before: 0 of 30 redeems for 20 s, the fleet split).
func TestSeedKill9FindsTheFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, procs, client := startFleet(t)
	var acked atomic.Int64
	var seedDown atomic.Bool
	stop := load(3, func(w, i int) { // on the seed, so the rights stay there
		if seedDown.Load() {
			time.Sleep(5 * time.Millisecond)
			return
		}
		if _, ok := redeemOnce(client, "http://"+procs[0].listen, fmt.Sprintf("w%d-%d", w, i)); ok {
			acked.Add(1)
		}
		time.Sleep(20 * time.Millisecond)
	})
	for acked.Load() < 6 {
		time.Sleep(5 * time.Millisecond)
	}
	seed := procs[0]
	seedDown.Store(true)
	_ = seed.cmd.Process.Signal(syscall.SIGKILL)
	_ = seed.cmd.Wait()
	waitState(t, client, procs[1], "n0", "dead") // the others gave up on it: only a rejoin brings it back
	seed.start(t, bin)                           // its own command line: no --join
	stop()
	back := time.Now()
	i := 0
	for {
		count, _ := clusterLedger(t, client, procs, -1)
		if count == 50 {
			break
		}
		if time.Since(back) > 3*time.Second {
			t.Fatalf("%d of 50 redemptions 3 s after the seed was back", count)
		}
		for range 50 - count {
			if time.Since(back) > 3*time.Second {
				break // a refused redeem waits for rights up to 2 s
			}
			i++
			redeemOnce(client, "http://"+procs[1].listen, fmt.Sprint("after-", i))
		}
	}
	t.Logf("limit used in full from n1 %v after the seed was back (%d redeems tried)", time.Since(back).Round(time.Millisecond), i)
}

// waitState waits until p lists member name in state.
func waitState(t *testing.T, c *http.Client, p *clusterProc, name, state string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var view struct {
			Members []struct{ Name, State string }
		}
		getJSON(t, c, "http://"+p.listen+"/v1/cluster", &view)
		for _, m := range view.Members {
			if m.Name == name && m.State == state {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never lists %s %s: %+v", p.name, name, state, view)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
