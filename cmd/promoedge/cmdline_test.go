package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandLineAsTyped: an argument serve does not take, or a mistyped
// flag, stops the start with what to write instead, and touches nothing;
// -h shows examples. (Before: `serve --data d /my/bundle` served the
// embedded example bundle and `serve extra --listen x` listened on 8181.)
func TestCommandLineAsTyped(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a start that is not refused stops at once
	noenv := func(string) string { return "" }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--data", data, "--listen", "127.0.0.1:0", "/my/bundle"}, `unexpected argument "/my/bundle"; to serve that bundle, write --bundle /my/bundle`},
		{[]string{"serve", "extra", "--data", data, "--listen", "127.0.0.1:0"}, `unexpected argument "extra"`},
		{[]string{"serve", "--data", data, "--watch", "false"}, `unexpected argument "false"`},
		{[]string{"serve", "--data", data, "--lisen", "127.0.0.1:0"}, "did you mean --listen?"},
		{[]string{"serve", "--data", data, "--admin-tokn", "x"}, "did you mean --admin-token?"},
		{[]string{"serv", "--data", data}, `unknown command "serv"; did you mean "serve"?`},
	} {
		var stderr bytes.Buffer
		err := run(ctx, tc.args, noenv, &stderr, &stderr)
		if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: %v\n%s", tc.args, err, stderr.String())
		}
		if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v created the data directory", tc.args)
		}
	}
	var stderr bytes.Buffer
	if err := run(ctx, []string{"serve", "--help"}, noenv, &stderr, &stderr); !errors.Is(err, errHelp) ||
		!strings.Contains(stderr.String(), "examples:\n  promoedge serve --bundle") || !strings.Contains(stderr.String(), "-api-token") {
		t.Errorf("--help: %v\n%s", err, stderr.String())
	}
}
