package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the process and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSIGTERMDrains: SIGTERM while a long request (300,000 codes streamed)
// and redeems are in flight. The long request is answered in full, the
// process exits 0 after flushing the store, and after a restart every
// acknowledged redemption and every code answered is there.
func TestSIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := binary(t)
	data, addr := filepath.Join(dir, "data"), freeAddr(t)
	base := "http://" + addr
	cmd := exec.Command(bin, "serve", "--listen", addr, "--data", data, "--bundle", "testdata/limited", "--admin-token", testAdminToken)
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	waitReady(t, base, &logs)

	// The long request.
	type generated struct {
		Count int      `json:"count"`
		Codes []string `json:"codes"`
	}
	genDone := make(chan error, 1)
	var gen generated
	started := make(chan struct{})
	go func() {
		req, _ := http.NewRequest("POST", base+"/v1/campaigns/vouchers/codes", strings.NewReader(`{"count":300000,"pattern":"##########"}`))
		req.Header.Set("Authorization", "Bearer T")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		close(started)
		if err != nil {
			genDone <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			genDone <- fmt.Errorf("status %d", resp.StatusCode)
			return
		}
		genDone <- json.NewDecoder(resp.Body).Decode(&gen)
	}()

	// Redeems, until the server stops answering.
	client := &http.Client{Timeout: 10 * time.Second}
	var acked sync.Map
	var n atomic.Int64
	stop := load(8, func(w, i int) {
		key := fmt.Sprintf("d-w%d-%d", w, i)
		if id, ok := redeemOnce(client, base, key); ok {
			acked.Store(key, id)
			n.Add(1)
		}
	})
	<-started // the response headers are out: the codes are streaming
	for n.Load() < 50 {
		time.Sleep(5 * time.Millisecond)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60 s after SIGTERM\n%s", logs.String())
	}
	t.Logf("exited 0, %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
	stop()
	if err := <-genDone; err != nil {
		t.Fatalf("the request in flight at SIGTERM: %v", err)
	}
	if gen.Count != 300000 || len(gen.Codes) != 300000 {
		t.Fatalf("the request in flight at SIGTERM got %d of %d codes", len(gen.Codes), gen.Count)
	}
	for _, want := range []string{"draining", "stopped: every request answered, the store flushed"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}

	// Restart on the same data: nothing answered is missing.
	p := startProc(t, bin, addr, data)
	defer p.Process.Kill()
	ledger := map[string]bool{}
	for _, rec := range readLedger(t, client, base) {
		ledger[rec.ID] = true
	}
	missing := 0
	acked.Range(func(_, id any) bool {
		if !ledger[id.(string)] {
			missing++
		}
		return true
	})
	if missing > 0 || n.Load() == 0 {
		t.Fatalf("%d of %d acknowledged redemptions missing after the drain", missing, n.Load())
	}
	for _, code := range []string{gen.Codes[0], gen.Codes[150000], gen.Codes[299999]} {
		resp := adminGet(t, client, base+"/v1/codes/"+code)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("code %s answered before SIGTERM: %d after the restart", code, resp.StatusCode)
		}
	}
	t.Logf("%d redemptions acknowledged, all in the ledger; 300,000 codes answered and kept", n.Load())
}

func waitReady(t *testing.T, base string, logs *syncBuffer) {
	t.Helper()
	for range 400 {
		if resp, err := http.Get(base + "/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("promoedge did not become ready:\n%s", logs.String())
}
