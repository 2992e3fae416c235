package sidecartest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io/fs"
	"testing"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// ExampleEngine is an engine serving the embedded example bundle.
func ExampleEngine(t testing.TB) *policies.Engine {
	t.Helper()
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "embedded"}, examples.Default())
	if err != nil {
		t.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	return e
}

// ExampleTarball is the embedded example bundle as a .tar.gz; a non-empty
// revision replaces the one of its manifest.
func ExampleTarball(t testing.TB, revision string) []byte {
	t.Helper()
	return ExampleTarballWith(t, revision, nil)
}

// ExampleTarballWith is ExampleTarball with extra files (path → content),
// such as more campaigns.
func ExampleTarballWith(t testing.TB, revision string, extra map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	fsys := examples.Default()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if p == ".manifest" && revision != "" {
			data = []byte(fmt.Sprintf(`{"revision":%q,"roots":["promo"]}`, revision))
		}
		if err := tw.WriteHeader(&tar.Header{Name: p, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range extra {
		if err := tw.WriteHeader(&tar.Header{Name: p, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
