package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/policies/webhook"
)

// The Standard Webhooks specification's published vector.
func TestSignatureVector(t *testing.T) {
	key, err := webhook.ParseSecret([]byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := webhook.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

func TestBadSecretsAndConfig(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!", "whsec_c2hvcnQ="} {
		if _, err := webhook.ParseSecret([]byte(s)); !errors.Is(err, webhook.ErrSecret) {
			t.Errorf("secret %q: %v", s, err)
		}
	}
	for _, c := range []struct {
		name, url, want string
	}{
		{"crm", "ftp://x/y", "http:// or https://"},
		{"crm", "/hooks", "http:// or https://"},
		{"crm", "http://", "no host"},
		{"crm", "https://user:pw@x/", "credentials"},
		{"Bad Name", "http://x/", "endpoint name"},
	} {
		cfg := webhook.DefaultConfig()
		cfg.Endpoints = []webhook.Endpoint{{Name: c.name, URL: c.url}}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: %v, want %q", c.name, c.url, err, c.want)
		}
	}
	cfg := webhook.DefaultConfig()
	cfg.Endpoints = []webhook.Endpoint{{Name: "a", URL: "http://x/"}, {Name: "a", URL: "http://y/"}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "named twice") {
		t.Errorf("twice: %v", err)
	}
}

// received is one request a receiver saw.
type received struct {
	id, ts, sig string
	body        []byte
	at          time.Time
}

// receiver is a real local HTTP server answering with answer(n) for its
// n'th request (from 0).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, received{r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature"), body, time.Now()})
		rc.mu.Unlock()
		if rc.answer != nil {
			rc.answer(n, w, r)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

var key = []byte("0123456789abcdef0123")

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(store.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// start runs a worker over s until the test ends (or stop is called).
func start(t *testing.T, s *store.Store, cfg webhook.Config) (w *webhook.Worker, stop func()) {
	t.Helper()
	w, err := webhook.New(cfg, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Configure(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return w, sync.OnceFunc(stop)
}

func fast(eps ...webhook.Endpoint) webhook.Config {
	cfg := webhook.DefaultConfig()
	cfg.Endpoints, cfg.FirstRetry, cfg.Timeout, cfg.Poll = eps, 20*time.Millisecond, 2*time.Second, 50*time.Millisecond
	return cfg
}

func redeem(t *testing.T, s *store.Store, id string) {
	t.Helper()
	r := &policies.Redemption{ID: id, IdempotencyKey: "k-" + id, RequestHash: "h", OrderID: "o-" + id, CustomerID: "ann",
		CreatedAt: time.Now(), Currency: "EUR", Campaigns: []policies.RedeemedCampaign{{Campaign: "c", Amount: 100}}, Response: []byte(`{}`)}
	if _, _, _, err := s.Commit(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// until polls cond for up to 10 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
	}
}

func status(t *testing.T, w *webhook.Worker, endpoint string) policies.WebhookStatus {
	t.Helper()
	st, err := w.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Endpoint == endpoint {
			return s
		}
	}
	t.Fatalf("no status of %s in %+v", endpoint, st)
	return policies.WebhookStatus{}
}

// verify checks a request as a Standard Webhooks receiver does.
func verify(t *testing.T, r received) {
	t.Helper()
	ts, err := strconv.ParseInt(r.ts, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		t.Errorf("webhook-timestamp %q", r.ts)
	}
	if want := webhook.Sign(key, r.id, ts, r.body); r.sig != want {
		t.Errorf("webhook-signature %q, want %q", r.sig, want)
	}
	var n struct {
		ID, Type string
		At       time.Time
		Data     json.RawMessage
	}
	if err := json.Unmarshal(r.body, &n); err != nil || n.ID != r.id || n.Type == "" || n.At.IsZero() || len(n.Data) == 0 {
		t.Errorf("body %s: %v", r.body, err)
	}
}

// TestDelivers: every endpoint gets every notice once, signed where it
// has a secret, and the status counts them.
func TestDelivers(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	a, b := newReceiver(t, nil), newReceiver(t, nil)
	w, _ := start(t, s, fast(webhook.Endpoint{Name: "a", URL: a.URL, Secret: key}, webhook.Endpoint{Name: "b", URL: b.URL}))
	for _, id := range []string{"r1", "r2", "r3"} {
		redeem(t, s, id)
	}
	if _, err := s.Rollback(context.Background(), "r2", time.Now()); err != nil {
		t.Fatal(err)
	}
	until(t, "4 deliveries each", func() bool { return status(t, w, "a").Delivered == 4 && status(t, w, "b").Delivered == 4 })
	ids := map[string]bool{}
	for _, r := range a.requests() {
		verify(t, r)
		ids[r.id] = true
	}
	if !ids["redemption.created:r1"] || !ids["redemption.rolled_back:r2"] || len(ids) != 4 || len(a.requests()) != 4 {
		t.Errorf("a got %v in %d requests", ids, len(a.requests()))
	}
	for _, r := range b.requests() {
		if r.sig != "" {
			t.Errorf("b has no secret but got webhook-signature %q", r.sig)
		}
	}
	st := status(t, w, "a")
	if st.Pending != 0 || st.Failed != 0 || st.LastSuccessAt == nil || st.URL != a.URL {
		t.Errorf("status %+v", st)
	}
}

// TestRetriesWithTheSameID: a receiver failing the first attempts gets
// the notice again with the same webhook-id and a fresh timestamp and
// signature each time, until it answers 2xx; the last error is shown
// meanwhile.
func TestRetriesWithTheSameID(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	})
	cfg := fast(webhook.Endpoint{Name: "crm", URL: rc.URL, Secret: key})
	var clock atomic.Int64 // each reading of the worker's clock is 2 s after the last
	clock.Store(time.Now().Unix())
	cfg.Now = func() time.Time { return time.Unix(clock.Add(2), 0) }
	w, _ := start(t, s, cfg)
	redeem(t, s, "r1")
	until(t, "delivered", func() bool { return status(t, w, "crm").Delivered == 1 })
	got := rc.requests()
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4", len(got))
	}
	for i, r := range got {
		ts, _ := strconv.ParseInt(r.ts, 10, 64)
		if r.id != "redemption.created:r1" || r.sig != webhook.Sign(key, r.id, ts, r.body) {
			t.Errorf("attempt %d: id %q, signature %q", i, r.id, r.sig)
		}
		if i > 0 && r.ts <= got[i-1].ts {
			t.Errorf("attempt %d has timestamp %s, not after %s", i, r.ts, got[i-1].ts)
		}
		if string(r.body) != string(got[0].body) {
			t.Errorf("attempt %d body changed", i)
		}
	}
	if st := status(t, w, "crm"); st.LastError == "" || !strings.Contains(st.LastError, "503") || st.Failed != 0 {
		t.Errorf("status %+v", st)
	}
	// The first retry came within FirstRetry (plus scheduling).
	if d := got[1].at.Sub(got[0].at); d > time.Second {
		t.Errorf("first retry after %s", d)
	}
}

// TestHangingReceiverTimesOut: an attempt that gets no answer ends at
// the timeout, and the notice goes out again.
func TestHangingReceiverTimesOut(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	release := make(chan struct{})
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			select { // hangs until the sender gives up
			case <-r.Context().Done():
			case <-release:
			}
		}
	})
	defer close(release)
	cfg := fast(webhook.Endpoint{Name: "slow", URL: rc.URL})
	cfg.Timeout = 200 * time.Millisecond
	w, _ := start(t, s, cfg)
	began := time.Now()
	redeem(t, s, "r1")
	until(t, "delivered", func() bool { return status(t, w, "slow").Delivered == 1 })
	if d := time.Since(began); d > 3*time.Second {
		t.Errorf("took %s with a 200ms timeout", d)
	}
	if st := status(t, w, "slow"); !strings.Contains(st.LastError, "no answer within 200ms") {
		t.Errorf("last error %q", st.LastError)
	}
	if got := rc.requests(); len(got) != 2 || got[0].id != got[1].id {
		t.Errorf("requests %+v", got)
	}
}

// TestRedirectIsAFailure: a 3xx is not followed; past the retry period
// the notice counts failed.
func TestRedirectIsAFailure(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	target := newReceiver(t, nil)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	cfg := fast(webhook.Endpoint{Name: "moved", URL: rc.URL, Secret: key})
	cfg.RetryFor = 300 * time.Millisecond
	w, _ := start(t, s, cfg)
	redeem(t, s, "r1")
	until(t, "failed", func() bool { return status(t, w, "moved").Failed == 1 })
	st := status(t, w, "moved")
	if st.Pending != 0 || st.Delivered != 0 || !strings.Contains(st.LastError, "307") || !strings.Contains(st.LastError, "redirects are not followed") {
		t.Errorf("status %+v", st)
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the redirect's target got %d requests", n)
	}
	if n := len(rc.requests()); n < 2 {
		t.Errorf("%d attempts in the retry period, want several", n)
	}
}

// TestRestartResumes: what was pending when the worker and store stopped
// is delivered after they start again, with the same id; what was
// delivered is not sent again.
func TestRestartResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	var down atomic.Bool
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	})
	s, err := store.Open(store.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	w, stop := start(t, s, fast(webhook.Endpoint{Name: "crm", URL: rc.URL}))
	redeem(t, s, "r1")
	until(t, "r1 delivered", func() bool { return status(t, w, "crm").Delivered == 1 })
	down.Store(true)
	redeem(t, s, "r2")
	until(t, "r2 attempted", func() bool { return len(rc.requests()) >= 2 })
	stop()
	s.Close()

	down.Store(false)
	s = openStore(t, path)
	w, _ = start(t, s, fast(webhook.Endpoint{Name: "crm", URL: rc.URL}))
	until(t, "r2 delivered", func() bool { return status(t, w, "crm").Delivered == 2 })
	counts := map[string]int{}
	for _, r := range rc.requests() {
		counts[r.id]++
	}
	if counts["redemption.created:r1"] != 1 || counts["redemption.created:r2"] < 2 || len(counts) != 2 {
		t.Errorf("requests by id: %v", counts)
	}
	if st := status(t, w, "crm"); st.Pending != 0 {
		t.Errorf("status %+v", st)
	}
}

// TestInFlightBound: at most InFlight requests are under way at once.
func TestInFlightBound(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	var now, peak atomic.Int64
	rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {
		n := now.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		now.Add(-1)
	})
	cfg := fast(webhook.Endpoint{Name: "a", URL: rc.URL}, webhook.Endpoint{Name: "b", URL: rc.URL})
	cfg.InFlight = 3
	w, _ := start(t, s, cfg)
	for i := range 12 {
		redeem(t, s, "r"+strconv.Itoa(i))
	}
	until(t, "all delivered", func() bool { return status(t, w, "a").Delivered == 12 && status(t, w, "b").Delivered == 12 })
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak in flight %d, want 2-3 of 3", p)
	}
}

// TestDownEndpointIsBounded: an endpoint down under load keeps at most
// MaxPending notices; the rest are counted failed and dropped; commits go
// on; once it is back it receives the newest.
func TestDownEndpointIsBounded(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "p.db"))
	var down atomic.Bool
	down.Store(true)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	cfg := fast(webhook.Endpoint{Name: "crm", URL: rc.URL})
	cfg.MaxPending, cfg.FirstRetry, cfg.MaxBackoff = 5, 50*time.Millisecond, 100*time.Millisecond
	w, _ := start(t, s, cfg)
	for i := range 20 {
		redeem(t, s, "r"+strconv.Itoa(i))
	}
	st := status(t, w, "crm")
	if st.Pending != 5 || st.Failed != 15 || st.Dropped != 15 {
		t.Errorf("while down: %+v", st)
	}
	down.Store(false)
	until(t, "the kept five delivered", func() bool { return status(t, w, "crm").Delivered == 5 })
	delivered := map[string]bool{}
	for _, r := range rc.requests() {
		delivered[r.id] = true
	}
	for i := 15; i < 20; i++ {
		if id := "redemption.created:r" + strconv.Itoa(i); !delivered[id] {
			t.Errorf("%s, one of the newest five, was not delivered", id)
		}
	}
	if st := status(t, w, "crm"); st.Pending != 0 || st.Failed != 15 {
		t.Errorf("after: %+v", st)
	}
}
