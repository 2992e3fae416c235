package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestCrashLosesNothingAcknowledged starts the real binary, redeems
// concurrently, kills it with SIGKILL mid-load and restarts it on the same
// data directory: every acknowledged redemption must be in the ledger,
// every acknowledged key must replay to the same id, and the usage counters
// must equal the ledger and stay within the limits.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := binary(t)
	data := filepath.Join(dir, "data")
	addr := freeAddr(t)
	client := &http.Client{Timeout: 5 * time.Second}
	base := "http://" + addr

	var acked sync.Map // idempotency key -> redemption id
	cycles := 1
	if n, err := strconv.Atoi(os.Getenv("SOAK_CYCLES")); err == nil && n > 0 {
		cycles = n // make soak
	}
	for cycle := range cycles {
		n := loadAndKill(t, bin, addr, data, client, base, cycle, &acked)
		t.Logf("cycle %d: %d redemptions acknowledged before SIGKILL", cycle, n)
	}
	startProc(t, bin, addr, data)
	ledger := map[string]bool{}
	used := map[string]int64{}
	spent := map[string]int64{}
	for _, rec := range readLedger(t, client, base) {
		ledger[rec.ID] = true
		for _, c := range rec.Campaigns {
			used[c.Campaign]++
			spent[c.Campaign] += c.Amount
		}
	}
	acked.Range(func(k, v any) bool {
		if !ledger[v.(string)] {
			t.Errorf("acknowledged redemption %s (key %s) is not in the ledger", v, k)
		}
		if id, ok := redeemOnce(client, base, k.(string)); !ok || id != v.(string) {
			t.Errorf("key %s replays to %q, acknowledged as %s", k, id, v)
		}
		return true
	})
	for _, campaign := range []string{"first-50", "tenth"} {
		var view struct {
			Usage struct {
				Redemptions int64
				Spent       int64 `json:"budget_spent"`
			}
		}
		getJSON(t, client, base+"/v1/campaigns/"+campaign, &view)
		if view.Usage.Redemptions != used[campaign] || view.Usage.Spent != spent[campaign] {
			t.Errorf("%s: counters %+v, ledger %d redemptions %d spent", campaign, view.Usage, used[campaign], spent[campaign])
		}
	}
	if used["first-50"] > 50 || spent["tenth"] > 2000 {
		t.Errorf("over the limits: %d redemptions of first-50, %d of the tenth budget spent", used["first-50"], spent["tenth"])
	}
}

// loadAndKill starts the sidecar, redeems from 16 clients and kills it
// with SIGKILL once 150 redemptions were acknowledged.
func loadAndKill(t *testing.T, bin, addr, data string, client *http.Client, base string, cycle int, acked *sync.Map) int64 {
	p := startProc(t, bin, addr, data)
	var n atomic.Int64
	stop := load(16, func(w, i int) {
		key := fmt.Sprintf("c%d-w%d-%d", cycle, w, i)
		if id, ok := redeemOnce(client, base, key); ok {
			acked.Store(key, id)
			n.Add(1)
		}
	})
	for n.Load() < 150 {
		time.Sleep(5 * time.Millisecond)
	}
	p.Process.Signal(syscall.SIGKILL)
	p.Wait()
	stop()
	return n.Load()
}

// The binary the tests run, built once for the package's tests.
var built struct {
	once sync.Once
	dir  string
	err  error
}

// binary builds promoedge once and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "promoedge-test-bin"); built.err != nil {
			return
		}
		if out, err := exec.Command("go", "build", "-o", filepath.Join(built.dir, "promoedge"), ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return filepath.Join(built.dir, "promoedge")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// ledgerRecord is what the binary tests read of a ledger line.
type ledgerRecord struct {
	ID        string `json:"redemption_id"`
	Campaigns []struct {
		Campaign string
		Amount   int64
	}
}

// readLedger reads the whole ledger of the sidecar at base (ndjson).
func readLedger(t *testing.T, c *http.Client, base string) []ledgerRecord {
	t.Helper()
	resp := adminGet(t, c, base+"/v1/redemptions?format=ndjson")
	defer resp.Body.Close()
	var out []ledgerRecord
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		var rec ledgerRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// load calls one(worker, i) for i = 0, 1, ... from workers goroutines
// until the stop it returns is called; stop waits for them.
func load(workers int, one func(w, i int)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				one(w, i)
			}
		})
	}
	return func() { close(done); wg.Wait() }
}

func redeemOnce(c *http.Client, base, key string) (string, bool) {
	body := fmt.Sprintf(`{"order_id":"o-%s","idempotency_key":%q,"customer":{"id":"c-%s"},"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1000}]}}`, key, key, key)
	resp, err := c.Post(base+"/v1/redemptions", "application/json", bytes.NewBufferString(body))
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var r struct {
		ID string `json:"redemption_id"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&r) != nil {
		return "", false
	}
	return r.ID, true
}

// startProc starts the binary on testdata/limited (startServe).
func startProc(t *testing.T, bin, addr, data string, extra ...string) *exec.Cmd {
	t.Helper()
	return startServe(t, bin, addr, data, "testdata/limited", extra...)
}

// startServe starts the binary on bundle, with extra flags, and waits
// until it is ready.
func startServe(t *testing.T, bin, addr, data, bundle string, extra ...string) *exec.Cmd {
	t.Helper()
	args := append([]string{"serve", "--listen", addr, "--data", data, "--bundle", bundle, "--admin-token", testAdminToken}, extra...)
	cmd := exec.Command(bin, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 400 {
		if resp, err := http.Get("http://" + addr + "/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("promoedge did not become ready:\n%s", logs.String())
	return nil
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
