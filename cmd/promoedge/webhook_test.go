package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies/webhook"
)

// TestWebhookFlags: bad webhook settings stop the start with what is
// wrong; good ones give the worker its endpoints and keys.
func TestWebhookFlags(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("good", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
	plain := file("plain", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	notB64 := file("bad64", "whsec_***")
	noenv := func(string) string { return "" }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--webhook", "crm=ftp://crm.example/hooks"}, "must be http:// or https://"},
		{[]string{"--webhook", "crm"}, "want NAME=VALUE"},
		{[]string{"--webhook", "crm=http://a/", "--webhook", "crm=http://b/"}, `"crm" is given twice`},
		{[]string{"--webhook", "CRM!=http://a/"}, "endpoint name"},
		{[]string{"--webhook", "crm=http://a/", "--webhook-secret-file", "crn=" + good}, `no --webhook names "crn"; did you mean "crm"?`},
		{[]string{"--webhook", "crm=http://a/", "--webhook-secret-file", "crm=" + plain}, "whsec_"},
		{[]string{"--webhook", "crm=http://a/", "--webhook-secret-file", "crm=" + notB64}, "base64"},
		{[]string{"--webhook", "crm=http://a/", "--webhook-secret-file", "crm=" + filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"--webhook", "crm=http://a/", "--webhook-in-flight", "0"}, "in flight"},
	} {
		var stderr strings.Builder
		_, err := parseServe(c.args, noenv, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), c.want) {
			t.Errorf("%v: %v %s, want %q", c.args, err, stderr.String(), c.want)
		}
	}
	env := map[string]string{"PROMOEDGE_WEBHOOK": "crm=https://crm.example/h,bi=http://10.0.0.9:8080/in"}
	cfg, err := parseServe([]string{"--webhook-secret-file", "crm=" + good}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	eps := cfg.Webhooks.Endpoints
	if len(eps) != 2 || eps[0].Name != "crm" || eps[0].URL != "https://crm.example/h" || len(eps[0].Secret) != 24 || eps[1].Secret != nil {
		t.Errorf("endpoints %+v", eps)
	}
}

// hookReceiver is a real local HTTP receiver that verifies every
// request's signature and answers 503 while down.
type hookReceiver struct {
	srv  *httptest.Server
	key  []byte
	down atomic.Bool
	mu   sync.Mutex
	got  map[string]int // webhook-id -> deliveries answered 200
	bad  []string
}

func newHookReceiver(t *testing.T, key []byte) *hookReceiver {
	h := &hookReceiver{key: key, got: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
		sec, _ := strconv.ParseInt(ts, 10, 64)
		h.mu.Lock()
		defer h.mu.Unlock()
		if key != nil && r.Header.Get("webhook-signature") != webhook.Sign(key, id, sec, body) {
			h.bad = append(h.bad, id)
		}
		if h.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		h.got[id]++
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) count(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.got[id]
}

// TestWebhookSurvivesKill9: redemptions acknowledged while the receiver
// is down, then SIGKILL: the restarted binary delivers every one, signed,
// with the id it was committed with (redemption.created:<id>).
func TestWebhookSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin, data, addr := binary(t), filepath.Join(dir, "data"), freeAddr(t)
	secret := filepath.Join(dir, "crm.secret")
	os.WriteFile(secret, []byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"), 0o600)
	key, _ := webhook.ParseSecret([]byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
	rc := newHookReceiver(t, key)
	rc.down.Store(true)
	flags := []string{"--webhook", "crm=" + rc.srv.URL, "--webhook-secret-file", "crm=" + secret}
	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + addr

	p := startProc(t, bin, addr, data, flags...)
	var ids []string
	for i := range 20 {
		if id, ok := redeemOnce(client, base, fmt.Sprintf("kill9-%d", i)); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		t.Fatal("no redemption acknowledged")
	}
	p.Process.Signal(syscall.SIGKILL)
	p.Wait()
	for _, id := range ids {
		if rc.count("redemption.created:"+id) != 0 {
			t.Fatalf("%s was delivered before the kill; the receiver was down", id)
		}
	}

	rc.down.Store(false)
	startProc(t, bin, addr, data, flags...)
	deadline := time.Now().Add(20 * time.Second)
	for _, id := range ids {
		for rc.count("redemption.created:"+id) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("redemption.created:%s never arrived after the restart", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	rc.mu.Lock()
	if len(rc.bad) > 0 {
		t.Errorf("requests with a bad signature: %q", rc.bad)
	}
	rc.mu.Unlock()
	var st struct {
		Endpoints []struct {
			Endpoint           string
			Delivered, Pending int64
		}
	}
	for time.Now().Before(deadline) {
		resp := adminGet(t, client, base+"/v1/webhooks")
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if len(st.Endpoints) == 1 && st.Endpoints[0].Pending == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(st.Endpoints) != 1 || st.Endpoints[0].Endpoint != "crm" || st.Endpoints[0].Delivered < int64(len(ids)) || st.Endpoints[0].Pending != 0 {
		t.Errorf("GET /v1/webhooks: %+v", st)
	}
}

// TestFleetNodesDeliverTheirOwn: each node of a fleet delivers the
// notices it committed; a node that leaves keeps its pending ones (the
// others do not send them) and delivers them when it is back.
func TestFleetNodesDeliverTheirOwn(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	rc := newHookReceiver(t, nil)
	bin := binary(t)
	procs := startProcs(t, bin, 2, "--webhook", "crm="+rc.srv.URL)
	client := &http.Client{Timeout: 5 * time.Second}
	redeemOn := func(p *clusterProc, key string) string {
		t.Helper()
		id, ok := redeemOnce(client, "http://"+p.listen, key)
		if !ok {
			t.Fatalf("redeem %s on %s failed", key, p.name)
		}
		return "redemption.created:" + id
	}
	waitFor := func(id string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); rc.count(id) == 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s never arrived", id)
			}
		}
	}
	delivered := func(p *clusterProc) int64 {
		var st struct{ Endpoints []struct{ Delivered int64 } }
		resp := adminGet(t, client, "http://"+p.listen+"/v1/webhooks")
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		return st.Endpoints[0].Delivered
	}
	a, b := redeemOn(procs[0], "fleet-a"), redeemOn(procs[1], "fleet-b")
	waitFor(a)
	waitFor(b)
	// Outcomes are recorded in batches: wait for them, then hold still.
	for deadline := time.Now().Add(5 * time.Second); delivered(procs[0])+delivered(procs[1]) < 2 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if n0, n1 := delivered(procs[0]), delivered(procs[1]); n0 != 1 || n1 != 1 {
		t.Errorf("delivered by n0 %d, by n1 %d: each node delivers what it committed", n0, n1)
	}
	// n1 commits while the receiver is down, then leaves.
	rc.down.Store(true)
	c := redeemOn(procs[1], "fleet-c")
	procs[1].cmd.Process.Signal(syscall.SIGTERM)
	procs[1].cmd.Wait()
	rc.down.Store(false)
	redeemOn(procs[0], "fleet-d")
	time.Sleep(300 * time.Millisecond)
	if rc.count(c) != 0 {
		t.Fatalf("%s arrived while the node that committed it was away", c)
	}
	procs[1].start(t, bin)
	waitFor(c)
}
