package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// adminCall sends an admin request to p and returns the status and
// answer; a request that gets no answer fails the test.
func adminCall(t *testing.T, c *http.Client, p *clusterProc, method, path, body string) (int, []byte) {
	t.Helper()
	status, out := callWith(t, c, testAdminToken, method, "http://"+p.listen+path, body)
	if status == 0 {
		t.Fatalf("%s %s: %s", method, path, out)
	}
	return status, out
}

// TestFleetRemovalAndDebitOnAnyNode runs three real sidecars: a gift card
// issued on n0 has part of its balance removed through n2, which holds
// none of it (the same key again answers the same entry), and a removal
// past what the fleet holds is 409 balance_below_zero on n1 and changes
// nothing; likewise a wallet credited on n0 is debited through n2, and a
// debit past the fleet's balance is 409 insufficient_points.
func TestFleetRemovalAndDebitOnAnyNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	_, procs, c := startFleet(t)
	n0, n1, n2 := procs[0], procs[1], procs[2]

	status, out := adminCall(t, c, n0, "POST", "/v1/campaigns/gift/codes", `{"count":1,"pattern":"GC-########"}`)
	var gen struct{ Codes []string }
	if status != 200 || json.Unmarshal(out, &gen) != nil || len(gen.Codes) != 1 {
		t.Fatalf("generating a card on n0: %d %s", status, out)
	}
	code := gen.Codes[0]
	balance := func(p *clusterProc) int64 {
		t.Helper()
		status, out := adminCall(t, c, p, "GET", "/v1/codes/"+code, "")
		var v struct {
			Balance int64
			Partial bool
		}
		if status != 200 || json.Unmarshal(out, &v) != nil || v.Partial {
			return -1
		}
		return v.Balance
	}
	deadline := time.Now().Add(10 * time.Second)
	for balance(n2) != 1000 { // the code replicated to n2
		if time.Now().After(deadline) {
			t.Fatalf("n2 never saw card %s's 1000", code)
		}
		time.Sleep(20 * time.Millisecond)
	}

	take := func(p *clusterProc, amount int64, key string) (int, []byte) {
		return adminCall(t, c, p, "POST", "/v1/codes/"+code+"/balance", fmt.Sprintf(`{"amount":%d,"idempotency_key":%q}`, -amount, key))
	}
	s1, first := take(n2, 300, "take-1")
	s2, again := take(n2, 300, "take-1")
	if s1 != 200 || s2 != 200 || string(first) != string(again) {
		t.Fatalf("removing 300 on n2 (holding none), twice with one key: %d %s / %d %s", s1, first, s2, again)
	}
	if st, out := take(n1, 800, "take-2"); st != 409 || !strings.Contains(string(out), "balance_below_zero") {
		t.Fatalf("removing 800 of 700 on n1: %d %s", st, out)
	}
	deadline = time.Now().Add(10 * time.Second)
	for _, p := range procs { // shares are told at the next publish tick
		for balance(p) != 700 {
			if time.Now().After(deadline) {
				t.Fatalf("%s sees %d of the card, want 700", p.name, balance(p))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	wallet := "/v1/wallets/fleet-cust"
	debit := func(p *clusterProc, points int64, key string) (int, []byte) {
		return adminCall(t, c, p, "POST", wallet+"/adjust", fmt.Sprintf(`{"points":%d,"reason":"test","idempotency_key":%q}`, -points, key))
	}
	if st, out := adminCall(t, c, n0, "POST", wallet+"/adjust", `{"points":500,"reason":"seed","idempotency_key":"seed"}`); st != 200 {
		t.Fatalf("crediting on n0: %d %s", st, out)
	}
	if st, out := debit(n2, 300, "d1"); st != 200 {
		t.Fatalf("debiting 300 on n2 (holding none): %d %s", st, out)
	}
	if st, out := debit(n1, 300, "d2"); st != 409 || !strings.Contains(string(out), "insufficient_points") {
		t.Fatalf("debiting 300 of 200 on n1: %d %s", st, out)
	}
	var w struct {
		Balance int64
		Partial bool
	}
	if st, out := adminCall(t, c, n0, "GET", wallet, ""); st != 200 || json.Unmarshal(out, &w) != nil || w.Balance != 200 || w.Partial {
		t.Fatalf("the wallet after the debits: %d %s, want a balance of 200", st, out)
	}
}
