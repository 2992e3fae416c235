package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestAuditLog: entries survive a reopen, come back oldest first, and a
// query keeps the latest ones at or after its time.
func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	if got, err := s.Audit(ctx, policies.AuditQuery{}); err != nil || len(got) != 0 {
		t.Fatalf("empty log: %v %v", got, err)
	}
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i, action := range []string{"bundle.activate", "campaign.disable", "campaign.enable"} {
		e := policies.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Action: action, Target: "c", Source: "127.0.0.1:1", Token: "abc", Status: 200}
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = open(t, path)
	all, err := s.Audit(ctx, policies.AuditQuery{})
	if err != nil || len(all) != 3 || all[0].Action != "bundle.activate" || all[2].Action != "campaign.enable" {
		t.Fatalf("after reopen: %+v %v", all, err)
	}
	latest, _ := s.Audit(ctx, policies.AuditQuery{Limit: 2})
	if len(latest) != 2 || latest[0].Action != "campaign.disable" {
		t.Errorf("limit 2: %+v", latest)
	}
	since, _ := s.Audit(ctx, policies.AuditQuery{Since: t0.Add(90 * time.Second)})
	if len(since) != 1 || since[0].Action != "campaign.enable" || !since[0].At.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("since: %+v", since)
	}
}

// TestOpenLocked: a second process on the same file is told that another
// process holds it, not "timeout".
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	open(t, path)
	_, err := Open(Config{Path: path})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("second open: %v", err)
	}
}
