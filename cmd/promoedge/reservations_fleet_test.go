package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// call sends method url with body and returns the status and answer; a
// request that gets no answer is status 0 with the error as answer.
func call(t *testing.T, c *http.Client, method, url, body string) (int, []byte) {
	t.Helper()
	return callWith(t, c, "", method, url, body)
}

// callWith is call with token as the bearer, if any.
func callWith(t *testing.T, c *http.Client, token, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func reserveOn(t *testing.T, c *http.Client, p *clusterProc, key string, ttl int) (id string, expires time.Time) {
	t.Helper()
	body := fmt.Sprintf(`{"idempotency_key":%q,"ttl_seconds":%d,"customer":{"id":"c-%s"},"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1000}]}}`, key, ttl, key)
	status, out := call(t, c, "POST", "http://"+p.listen+"/v1/reservations", body)
	var r struct {
		ID        string    `json:"reservation_id"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if status != 200 || json.Unmarshal(out, &r) != nil || r.ID == "" {
		t.Fatalf("reserve on %s: %d %s", p.name, status, out)
	}
	return r.ID, r.ExpiresAt
}

func commitOn(t *testing.T, c *http.Client, p *clusterProc, id, reserveKey, key string) (int, []byte) {
	t.Helper()
	body := fmt.Sprintf(`{"order_id":"o-%s","idempotency_key":%q,"reservation_id":%q,"customer":{"id":"c-%s"},"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1000}]}}`, key, key, id, reserveKey)
	return call(t, c, "POST", "http://"+p.listen+"/v1/redemptions", body)
}

func appliedFirst50(t *testing.T, answer []byte) bool {
	t.Helper()
	var r struct{ Applied []struct{ Campaign string } }
	if err := json.Unmarshal(answer, &r); err != nil {
		t.Fatalf("%v: %s", err, answer)
	}
	for _, a := range r.Applied {
		if a.Campaign == "first-50" {
			return true
		}
	}
	return false
}

func statusOn(t *testing.T, c *http.Client, p *clusterProc, id string) (int, string) {
	t.Helper()
	code, out := call(t, c, "GET", "http://"+p.listen+"/v1/reservations/"+id, "")
	var r struct{ Status string }
	_ = json.Unmarshal(out, &r)
	return code, r.Status
}

// TestFleetReservations runs three real sidecars: a reservation made on n1
// is read and committed on the others, by two nodes at once, and becomes
// one redemption; n1 is killed with SIGKILL: what it holds stays held
// (commit and release elsewhere answer 503 and write nothing), and when it
// is back the hold is committed from another node, while one whose expiry
// passed during the crash is released within a second of its restart.
func TestFleetReservations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, procs, c := startFleet(t)
	n0, n1, n2 := procs[0], procs[1], procs[2]

	id, _ := reserveOn(t, c, n1, "r1", 600)
	if code, st := statusOn(t, c, n0, id); code != 200 || st != "held" {
		t.Fatalf("GET on n0 of n1's reservation: %d %q", code, st)
	}
	var wg sync.WaitGroup
	ids := make([]string, 2)
	for i, p := range []*clusterProc{n0, n2} {
		wg.Go(func() {
			code, out := commitOn(t, c, p, id, "r1", fmt.Sprint("c1-", p.name))
			var r struct {
				ID string `json:"redemption_id"`
			}
			if code != 200 || json.Unmarshal(out, &r) != nil {
				t.Errorf("commit on %s: %d %s", p.name, code, out)
			}
			ids[i] = r.ID
		})
	}
	wg.Wait()
	if ids[0] == "" || ids[0] != ids[1] {
		t.Fatalf("two commits of one reservation on two nodes: %v", ids)
	}
	if count, _ := clusterLedger(t, c, procs, -1); count != 1 {
		t.Fatalf("%d redemptions of first-50 after one committed reservation", count)
	}

	// Reservations made on n1 and committed or released on n0 and n2 race
	// plain redeems on n0 and n2 for first-50's last 49 units: what stands
	// is exactly what the answers said applied, never over the limit.
	var mu sync.Mutex
	var redeemed, committed int64
	for i := range 40 {
		wg.Go(func() {
			key := fmt.Sprint("race-", i)
			at := procs[(i/2)%2*2] // n0 or n2
			if i%2 == 0 {
				body := fmt.Sprintf(`{"order_id":"o-%s","idempotency_key":%q,"customer":{"id":"c-%s"},"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1000}]}}`, key, key, key)
				if code, out := call(t, c, "POST", "http://"+at.listen+"/v1/redemptions", body); code != 200 {
					t.Errorf("redeem on %s: %d %s", at.name, code, out)
				} else if appliedFirst50(t, out) {
					mu.Lock()
					redeemed++
					mu.Unlock()
				}
				return
			}
			rid, _ := reserveOn(t, c, n1, key, 600)
			if i%4 == 3 {
				if code, out := call(t, c, "DELETE", "http://"+at.listen+"/v1/reservations/"+rid, ""); code != 200 {
					t.Errorf("release on %s: %d %s", at.name, code, out)
				}
				return
			}
			if code, out := commitOn(t, c, at, rid, key, "c-"+key); code != 200 {
				t.Errorf("commit on %s: %d %s", at.name, code, out)
			} else if appliedFirst50(t, out) {
				mu.Lock()
				committed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	count, _ := clusterLedger(t, c, procs, -1)
	t.Logf("after the race: %d plain redeems and %d commits took first-50; %d stand", redeemed, committed, count)
	if count != 1+redeemed+committed {
		t.Fatalf("%d redemptions of first-50 stand; the answers applied %d", count, 1+redeemed+committed)
	}

	held, _ := reserveOn(t, c, n1, "r2", 600)
	short, shortExp := reserveOn(t, c, n1, "r3", 2)
	n1.cmd.Process.Signal(syscall.SIGKILL)
	n1.cmd.Wait()
	// n0 and n2 notice n1 is gone (or time out asking it): 503, nothing written.
	if code, out := commitOn(t, c, n2, held, "r2", "c2"); code != 503 || !bytes.Contains(out, []byte("reservation_unreachable")) {
		t.Fatalf("commit while its node is down: %d %s", code, out)
	}
	if code, _ := call(t, c, "DELETE", "http://"+n0.listen+"/v1/reservations/"+short, ""); code != 503 {
		t.Fatalf("release while its node is down: %d", code)
	}
	if n, _ := clusterLedger(t, c, procs, 1); n != redeemed { // the commits of n1's reservations are in n1's file
		t.Fatalf("%d redemptions on n0 and n2 after refused commits, want %d", n, redeemed)
	}
	time.Sleep(time.Until(shortExp))
	n1.start(t, bin)
	ready := time.Now()
	for {
		if _, st := statusOn(t, c, n1, short); st == "expired" {
			break
		}
		if time.Since(ready) > time.Second {
			t.Fatalf("a hold that expired during the crash still stands %v after the restart", time.Since(ready))
		}
		time.Sleep(20 * time.Millisecond)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, out := commitOn(t, c, n2, held, "r2", "c2")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("commit on n2 after n1 came back: %d %s", code, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, st := statusOn(t, c, n0, held); st != "committed" {
		t.Fatalf("GET on n0 after the commit: %q", st)
	}
	if _, st := statusOn(t, c, n0, short); st != "expired" {
		t.Fatalf("GET on n0 of the expired one: %q", st)
	}
	if after, _ := clusterLedger(t, c, procs, -1); after != count+1 {
		t.Fatalf("%d redemptions of first-50 after one more committed reservation, %d before", after, count)
	}
}
