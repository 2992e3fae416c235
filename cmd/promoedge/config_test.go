package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "promoedge.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write(`# promoedge.yaml
listen: 127.0.0.1:9999
data: /var/lib/promoedge
admin-token: from-file
bundle-poll: 30s
max-body: 2048
node: a
cluster-bind: 127.0.0.1:7946
join: [10.0.0.2:7946, 10.0.0.3:7946]
`)
	noenv := func(string) string { return "" }
	cfg, err := parseServe([]string{"--config", good}, noenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != "127.0.0.1:9999" || cfg.Data != "/var/lib/promoedge" || cfg.Admin != "from-file" ||
		cfg.Poll != 30*time.Second || cfg.HTTP.MaxBodyBytes != 2048 || cfg.Join != "10.0.0.2:7946,10.0.0.3:7946" {
		t.Fatalf("from the file: %+v", cfg)
	}
	// The command line, then the environment, win over the file; the file
	// can be named in the environment too.
	env := map[string]string{"PROMOEDGE_CONFIG": good, "PROMOEDGE_ADMIN_TOKEN": "from-env"}
	cfg, err = parseServe([]string{"--data", "/cli"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Data != "/cli" || cfg.Admin != "from-env" || cfg.HTTP.Listen != "127.0.0.1:9999" {
		t.Fatalf("precedence: data %q admin %q listen %q", cfg.Data, cfg.Admin, cfg.HTTP.Listen)
	}

	for _, tc := range []struct{ body, want string }{
		{"listen: x\nadmn-token: t\n", `promoedge.yaml:2: unknown setting "admn-token" (did you mean "admin-token"?)`},
		{"max-body: lots\n", `promoedge.yaml:1: max-body: "lots"`},
		{"bundle-poll: {a: 1}\n", "promoedge.yaml:1: bundle-poll: a value or a list"},
		{"- listen\n", "promoedge.yaml:1: want a mapping"},
		{"data: a\ndata: b\n", `promoedge.yaml:2: "data" is set twice`},
		{"listen: [unterminated\n", "promoedge.yaml: yaml:"},
		{"config: other.yaml\n", `unknown setting "config"`},
	} {
		_, err := parseServe([]string{"--config", write(tc.body)}, noenv, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.body, err, tc.want)
		}
	}
	if _, err := parseServe([]string{"--config", filepath.Join(dir, "missing.yaml")}, noenv, io.Discard); err == nil || !strings.Contains(err.Error(), "reading the config file") {
		t.Errorf("missing file: %v", err)
	}
	if cfg, err := parseServe([]string{"--config", write("")}, noenv, io.Discard); err != nil || cfg.Data != "./data" {
		t.Errorf("empty file: %v %+v", err, cfg)
	}
}
