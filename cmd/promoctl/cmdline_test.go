package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagsAfterArguments: flags after the bundle path are read, as opa
// reads them (before: `build dir -o out.tar.gz` wrote bundle.tar.gz);
// what is not understood is refused, never ignored.
func TestFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	mustRun(t, "init", "b")
	mustRun(t, "build", "b", "-o", "out.tar.gz", "--revision=r7")
	if _, err := os.Stat("out.tar.gz"); err != nil {
		t.Fatalf("-o after the path: %v", err)
	}
	if _, err := os.Stat("bundle.tar.gz"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("-o after the path was ignored: bundle.tar.gz written")
	}
	mustRun(t, "test", "b", "-v")
	mustRun(t, "build", "-o", "second.tar.gz", "--", "b")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "b", "extra"}, `unexpected argument "extra"`},
		{[]string{"lint", "b", "b"}, `unexpected argument "b"`},
		{[]string{"build", "b", "--targt", "wasm"}, "did you mean --target?"},
		{[]string{"build", "b", "-0", "x"}, "did you mean -o?"},
		{[]string{"ledger", "--formt", "csv"}, "did you mean --format?"},
		{[]string{"biuld", "b"}, `unknown command "biuld"; did you mean "build"?`},
	} {
		_, errOut, err := promoctl(t, tc.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: %v\n%s", tc.args, err, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused command line wrote its output")
	}
}

// TestVersionAndHelp: promoctl version, and -h with examples.
func TestVersionAndHelp(t *testing.T) {
	if out := mustRun(t, "version"); out != "promoctl dev\n" {
		t.Errorf("version: %q", out)
	}
	for _, args := range [][]string{{"--help"}, {"build", "-h"}, {"ledger", "--help"}} {
		out, errOut, err := promoctl(t, args...)
		if err != nil || !strings.Contains(out+errOut, "examples:\n  promoctl ") {
			t.Errorf("%v: %v\n%s%s", args, err, out, errOut)
		}
	}
}
