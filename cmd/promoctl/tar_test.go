package main

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listTar lists the names in a .tar.gz, one a line.
func listTar(t *testing.T, path string) string {
	t.Helper()
	var names []string
	eachTar(t, path, func(h *tar.Header, _ []byte) { names = append(names, h.Name) })
	return strings.Join(names, "\n")
}

// untar extracts a .tar.gz into dir.
func untar(t *testing.T, path, dir string) {
	t.Helper()
	eachTar(t, path, func(h *tar.Header, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(h.Name, "/")))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	})
}

func eachTar(t *testing.T, path string, fn func(*tar.Header, []byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		fn(h, data)
	}
}
