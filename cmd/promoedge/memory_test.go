package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// The resident memory tests start the real binary and attack it as a
// hostile caller would, then read its peak resident set (VmHWM in
// /proc/<pid>/status). PROMOEDGE_MEMORY_FULL=1 runs the full-size attacks
// of issue 13 (a 2.4 GB zip bomb) instead of the short ones.

// TestMemoryBoundedUnderLargeBodies: 16 concurrent 60 MiB bodies to
// POST /v1/evaluate, announced by Content-Length and chunked, leave the
// peak resident memory within 64 MiB of what it was.
func TestMemoryBoundedUnderLargeBodies(t *testing.T) {
	p := startMeasured(t)
	before := p.status(t, "VmHWM")
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() { hugeBody(p.addr, "POST", "/v1/evaluate", "", 60<<20, i%2 == 1) })
	}
	wg.Wait()
	after := p.status(t, "VmHWM")
	t.Logf("peak resident memory: %d MiB before, %d MiB after 16 concurrent 60 MiB bodies", before>>10, after>>10)
	if after-before > 64<<10 {
		t.Errorf("peak resident memory grew by %d MiB under 60 MiB bodies", (after-before)>>10)
	}
}

// TestMemoryBoundedUnderZipBomb: a small tar.gz whose files inflate to
// hundreds of MiB (2.4 GB with PROMOEDGE_MEMORY_FULL) is refused without
// the peak resident memory growing by more than 64 MiB.
func TestMemoryBoundedUnderZipBomb(t *testing.T) {
	p := startMeasured(t)
	files := 16 // of 30 MiB each: within the per-file bound
	if os.Getenv("PROMOEDGE_MEMORY_FULL") != "" {
		files = 80
	}
	bomb := bundletest.ZipBomb(files, 30)
	before := p.status(t, "VmHWM")
	req, _ := http.NewRequest("PUT", "http://"+p.addr+"/v1/bundles", bytes.NewReader(bomb))
	req.Header.Set("Authorization", "Bearer admin-secret")
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	after := p.status(t, "VmHWM")
	t.Logf("peak resident memory: %d MiB before, %d MiB after a %d KiB bundle inflating to %d MiB (%d %s)",
		before>>10, after>>10, len(bomb)>>10, files*30, resp.StatusCode, firstLine(msg))
	if resp.StatusCode != 400 {
		t.Errorf("zip bomb answered %d, want 400: %s", resp.StatusCode, msg)
	}
	if after-before > 64<<10 {
		t.Errorf("peak resident memory grew by %d MiB under a zip bomb", (after-before)>>10)
	}
}

// measured is a promoedge process whose memory a test reads.
type measured struct {
	cmd  *exec.Cmd
	addr string
}

func startMeasured(t *testing.T) *measured {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc to read resident memory")
	}
	bin, addr := binary(t), freeAddr(t)
	cmd := exec.Command(bin, "serve", "--listen", addr, "--data", filepath.Join(t.TempDir(), "data"),
		"--admin-token", "admin-secret")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 400 {
		if resp, err := http.Get("http://" + addr + "/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return &measured{cmd: cmd, addr: addr}
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("promoedge did not become ready")
	return nil
}

// status reads a kB figure of /proc/<pid>/status, e.g. VmHWM.
func (p *measured) status(t *testing.T, key string) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc status", key)
	return 0
}

// hugeBody sends size bytes of body on one connection, announced by
// Content-Length or chunked, stopping when the server stops reading, and
// returns the status line it got.
func hugeBody(addr, method, path, auth string, size int, chunked bool) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	head := method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth
	if chunked {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		head += "Content-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	}
	go func() {
		c.Write([]byte(head))
		chunk := bytes.Repeat([]byte{' '}, 1<<20)
		for sent := 0; sent < size; sent += len(chunk) {
			out := chunk
			if chunked {
				out = append(fmt.Appendf(nil, "%x\r\n", len(chunk)), append(chunk, "\r\n"...)...)
			}
			if _, err := c.Write(out); err != nil {
				return
			}
		}
		if chunked {
			c.Write([]byte("0\r\n\r\n"))
		}
	}()
	line := make([]byte, 64)
	n, _ := io.ReadAtLeast(c, line, 12)
	return firstLine(line[:n])
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(s)
}
