package main

import (
	"strings"
	"testing"
)

// TestWalletCommands: promoctl wallet adjust, show and history against a
// real sidecar; bad arguments are usage errors.
func TestWalletCommands(t *testing.T) {
	url := serve(t)
	out := mustRun(t, "wallet", "--url", url, "--token", adminToken, "--reason", "welcome", "adjust", "u-1", "300")
	if !strings.Contains(out, `"balance":300`) {
		t.Fatalf("adjust: %s", out)
	}
	mustRun(t, "wallet", "--url", url, "--token", adminToken, "--reason", "welcome", "adjust", "u-1", "300") // the same key: once
	if out := mustRun(t, "wallet", "--url", url, "show", "u-1"); !strings.Contains(out, `"balance": 300`) || !strings.Contains(out, `"tier": "basic"`) {
		t.Fatalf("show: %s", out)
	}
	if out := mustRun(t, "wallet", "--url", url, "history", "u-1"); strings.Count(out, "\n") != 1 || !strings.Contains(out, `"kind":"adjust"`) {
		t.Fatalf("history: %s", out)
	}
	if _, _, err := promoctl(t, "wallet", "--url", url, "--reason", "x", "adjust", "u-1", "5"); err == nil || !strings.Contains(err.Error(), "admin token") {
		t.Fatalf("adjust without a token: %v", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"wallet", "drop", "u-1"}, "want show, history or adjust"},
		{[]string{"wallet", "adjust", "u-1", "lots"}, "POINTS must be a non-zero integer"},
		{[]string{"wallet", "adjust", "u-1", "5"}, "adjust needs --reason"},
		{[]string{"wallet", "--at", "noon", "show", "u-1"}, "--at must be an RFC 3339 time"},
		{[]string{"wallet", "show"}, "show takes CUSTOMER"},
	} {
		_, errOut, err := promoctl(t, c.args...)
		if err == nil || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %v %q", c.args, err, errOut)
		}
	}
}
