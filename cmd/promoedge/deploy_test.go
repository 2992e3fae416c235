package main

import (
	"bufio"
	"io"
	"os"
	"strings"
	"testing"
)

// TestDeployExamples keeps examples/deploy working with this binary: the
// example config parses, the systemd unit's command line parses (with the
// example config in place of /etc's), and the Dockerfile's environment
// and command parse.
func TestDeployExamples(t *testing.T) {
	const dir = "../../examples/deploy/"
	noenv := func(string) string { return "" }
	cfg, err := parseServe([]string{"--config", dir + "promoedge.yaml"}, noenv, io.Discard)
	if err != nil {
		t.Fatalf("examples/deploy/promoedge.yaml: %v", err)
	}
	if cfg.Data != "/var/lib/promoedge" || !cfg.Watch || cfg.HTTP.Socket == "" {
		t.Errorf("example config read as %+v", cfg)
	}

	exec := directive(t, dir+"promoedge.service", "ExecStart=")
	args := strings.Fields(exec)
	if len(args) < 2 || !strings.HasSuffix(args[0], "/promoedge") || args[1] != "serve" {
		t.Fatalf("ExecStart=%s", exec)
	}
	args = args[2:]
	for i, a := range args {
		if a == "/etc/promoedge/promoedge.yaml" {
			args[i] = dir + "promoedge.yaml"
		}
	}
	env := map[string]string{"PROMOEDGE_ADMIN_TOKEN": "from-environment-file"}
	if cfg, err = parseServe(args, func(k string) string { return env[k] }, io.Discard); err != nil || cfg.Admin != "from-environment-file" {
		t.Fatalf("the unit's command line: %v (admin %q)", err, cfg.Admin)
	}

	env = map[string]string{}
	for _, kv := range strings.Fields(directive(t, dir+"Dockerfile", "ENV ")) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cmd := directive(t, dir+"Dockerfile", "CMD ")
	if cmd != `["serve"]` {
		t.Fatalf("CMD %s", cmd)
	}
	if cfg, err = parseServe(nil, func(k string) string { return env[k] }, io.Discard); err != nil || cfg.HTTP.Listen != "0.0.0.0:8181" || cfg.Data != "/data" {
		t.Fatalf("the image's environment: %v %+v", err, cfg)
	}
}

// directive is the rest of the first line of path starting with prefix.
func directive(t *testing.T, path, prefix string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatalf("%s has no %q line", path, prefix)
	return ""
}
