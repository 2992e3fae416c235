package activation

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Watch re-activates path whenever its content changes, until ctx ends.
// It polls a fingerprint of the files (names, sizes, modification times)
// every interval and activates once a change has held still for one
// interval, so a bundle caught half-written is not loaded. A change that
// is refused is not retried until the files change again.
func (a *Activator) Watch(ctx context.Context, path string, every time.Duration) {
	seen, _ := fingerprint(path)
	pending := ""
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fp, err := fingerprint(path)
		if err != nil {
			a.cfg.Log.Warn("watching bundle", "path", path, "err", err)
			continue
		}
		switch {
		case fp == seen:
			pending = ""
		case fp != pending:
			pending = fp // changed: wait one interval for it to settle
		default:
			seen, pending = fp, ""
			if act, err := a.Path(ctx, path); err != nil {
				a.cfg.Log.Warn("bundle refused, the last good one keeps serving", "path", path, "err", err)
			} else {
				a.cfg.Log.Info("bundle active", "revision", act.Revision, "source", path)
			}
		}
	}
}

func fingerprint(path string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		if _, statErr := os.Stat(path); statErr != nil {
			return "", statErr
		}
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}
