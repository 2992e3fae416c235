package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

type eventTriggers struct {
	Triggers []struct {
		State string
		Codes []string
	}
}

// TestKilledSidecarFiresEachScheduledTriggerOnce: events acknowledged
// while the process is killed (kill -9) mid-load have their triggers
// scheduled; after a restart each fires, once: a second kill and restart
// fires none again (the codes stay the ones issued).
func TestKilledSidecarFiresEachScheduledTriggerOnce(t *testing.T) {
	bin := binary(t)
	addr, data := freeAddr(t), filepath.Join(t.TempDir(), "data")
	base := "http://" + addr
	c := &http.Client{Timeout: 5 * time.Second}
	p := startServe(t, bin, addr, data, "testdata/triggers")
	var mu sync.Mutex
	var acked []string
	stop := load(4, func(w, i int) {
		id := fmt.Sprintf("e-%d-%d", w, i)
		body := fmt.Sprintf(`{"id":%q,"type":"cart_abandoned","customer_id":"u-%d","cart_id":"c-%d"}`, id, w, i)
		resp, err := c.Post(base+"/v1/events", "application/json", bytes.NewBufferString(body))
		if err != nil {
			return
		}
		defer resp.Body.Close()
		var r eventTriggers
		if resp.StatusCode == 200 && json.NewDecoder(resp.Body).Decode(&r) == nil && len(r.Triggers) == 1 && r.Triggers[0].State == "scheduled" {
			mu.Lock()
			acked = append(acked, id)
			mu.Unlock()
		}
	})
	time.Sleep(150 * time.Millisecond) // before the first is due
	p.Process.Kill()
	p.Wait()
	stop()
	if len(acked) == 0 {
		t.Fatal("no event acknowledged before the kill")
	}
	p = startServe(t, bin, addr, data, "testdata/triggers")
	codes := map[string][]string{}
	deadline := time.Now().Add(20 * time.Second)
	for _, id := range acked {
		for {
			var v eventTriggers
			adminJSON(t, c, base+"/v1/events/"+id, &v)
			if n := len(v.Triggers); n > 0 && v.Triggers[n-1].State == "fired" && len(v.Triggers[n-1].Codes) == 1 {
				codes[id] = v.Triggers[n-1].Codes
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never fired: %+v", id, v)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	p.Process.Kill()
	p.Wait()
	startServe(t, bin, addr, data, "testdata/triggers")
	time.Sleep(1500 * time.Millisecond)
	for _, id := range acked {
		var v eventTriggers
		adminJSON(t, c, base+"/v1/events/"+id, &v)
		if n := len(v.Triggers); n == 0 || !slices.Equal(v.Triggers[n-1].Codes, codes[id]) {
			t.Fatalf("%s after a second restart: %+v, fired with %v", id, v, codes[id])
		}
	}
	t.Logf("%d events acknowledged before kill -9, each fired once after the restart", len(acked))
}

func adminJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp := adminGet(t, c, url)
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
