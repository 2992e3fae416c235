package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
)

// The sidecar finds these abilities on its State by type assertion; the
// guards keep both the lone store and the fleet's wrapper of it having
// them, so neither /ready's write probe nor GET /v1/backup can vanish
// silently in one mode.
var (
	_ sidecar.Writable = (*store.Store)(nil)
	_ sidecar.Backuper = (*store.Store)(nil)
	_ sidecar.Writable = fleetState{}
	_ sidecar.Backuper = fleetState{}
)

// backupConfig is what `promoedge backup` is told.
type backupConfig struct {
	Out   string // the copy
	Data  string // a stopped sidecar's --data
	URL   string // a running sidecar's base URL
	Token string // its admin token
}

// runBackup is `promoedge backup`: a consistent copy of the store, from a
// running sidecar (--url, GET /v1/backup) or from a stopped one's --data.
// The copy is checked (it opens, its counters match its ledger) before it
// takes the place of --out.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseBackup(args, getenv, stderr)
	if err != nil {
		return err
	}
	part := cfg.Out + ".partial"
	defer os.Remove(part)
	if cfg.URL != "" {
		_, err = store.WriteFileAtomic(part, func(w io.Writer) (int64, error) { return download(ctx, cfg, w) })
	} else {
		err = copyStopped(cfg.Data, part)
	}
	if err != nil {
		return err
	}
	if err := verifyCopy(ctx, part, stdout); err != nil {
		return err
	}
	return os.Rename(part, cfg.Out)
}

func parseBackup(args []string, getenv func(string) string, stderr io.Writer) (backupConfig, error) {
	var cfg backupConfig
	fset := flag.NewFlagSet("backup", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.StringVar(&cfg.Out, "out", "", "file to write the copy to (required)")
	fset.StringVar(&cfg.URL, "url", "", "a running sidecar's base URL, e.g. http://127.0.0.1:8181 (GET /v1/backup)")
	fset.StringVar(&cfg.Token, "admin-token", getenv("PROMOEDGE_ADMIN_TOKEN"), "its admin token (default $PROMOEDGE_ADMIN_TOKEN)")
	fset.StringVar(&cfg.Data, "data", "", "a stopped sidecar's data directory, instead of --url")
	if err := fset.Parse(args); err != nil {
		return cfg, errUsage
	}
	switch {
	case fset.NArg() > 0:
		return cfg, fmt.Errorf("promoedge backup takes no arguments, got %q", fset.Args())
	case cfg.Out == "":
		return cfg, errors.New("promoedge backup needs --out FILE")
	case (cfg.URL == "") == (cfg.Data == ""):
		return cfg, errors.New("promoedge backup needs --url (a running sidecar) or --data (a stopped one), one of them")
	}
	return cfg, nil
}

// download writes GET /v1/backup of the sidecar at cfg.URL to w.
func download(ctx context.Context, cfg backupConfig, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(cfg.URL, "/")+"/v1/backup", nil)
	if err != nil {
		return 0, err
	}
	if cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("backup from %s: %w", cfg.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return 0, fmt.Errorf("backup from %s: %s: %s", cfg.URL, resp.Status, strings.TrimSpace(string(msg)))
	}
	return io.Copy(w, resp.Body)
}

// copyStopped copies the store in a stopped sidecar's data directory.
func copyStopped(data, to string) error {
	st, err := openExisting(filepath.Join(data, "promoedge.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.BackupFile(to)
	return err
}

// verifyCopy opens the copy as a store and checks it.
func verifyCopy(ctx context.Context, path string, stdout io.Writer) error {
	st, err := openExisting(path)
	if err != nil {
		return fmt.Errorf("the copy is not a whole store file (nothing kept): %w", err)
	}
	defer st.Close()
	rep, err := st.Check(ctx)
	if err != nil {
		return fmt.Errorf("checking the copy: %w", err)
	}
	fmt.Fprintf(stdout, "backup: %d redemptions, %d counters checked, %d mismatches\n", rep.Redemptions, rep.Counters, len(rep.Mismatches))
	for _, m := range rep.Mismatches {
		fmt.Fprintln(stdout, "  mismatch:", m)
	}
	return nil
}
