package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/util"
)

// signCmd signs an existing bundle as `opa sign` does.
type signCmd struct{}

func (signCmd) name() string { return "sign" }
func (signCmd) synopsis() string {
	return "sign a bundle directory (writes its .signatures.json) or .tar.gz (adds one), as opa sign does"
}

func (c signCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "<bundle dir or .tar.gz>", stderr)
	out := fs.String("o", "", "where to write: a directory for .signatures.json, a file for a .tar.gz (default: in place)")
	var s signing
	s.flags(fs)
	if ok, err := parse(fs, args); !ok {
		return err
	}
	if fs.NArg() != 1 || s.key == "" {
		fs.Usage()
		return errUsage
	}
	sc, err := s.config()
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		err = signDir(path, *out, sc)
	} else {
		err = signTarball(path, *out, sc)
	}
	if err == nil {
		fmt.Fprintf(stdout, "signed %s\n", path)
	}
	return err
}

// signDir writes the .signatures.json of the bundle directory dir into
// outDir (dir when ""). File names are relative to the bundle's root, as
// the sidecar and `opa run -b` read them.
func signDir(dir, outDir string, sc *opabundle.SigningConfig) error {
	dl := opabundle.NewDirectoryLoader(dir)
	var files []bundleFile
	for {
		d, err := dl.NextFile()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", dir, err)
		}
		var buf bytes.Buffer
		_, err = d.Read(&buf, opabundle.DefaultSizeLimitBytes+1)
		d.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if !opabundle.IsSignaturesFile(d.Path()) {
			files = append(files, bundleFile{d.Path(), buf.Bytes()})
		}
	}
	sigs, err := signatures(files, sc)
	if err != nil {
		return err
	}
	if outDir == "" {
		outDir = dir
	}
	return os.WriteFile(filepath.Join(outDir, ".signatures.json"), sigs, 0o644)
}

// signTarball rewrites a bundle .tar.gz with a .signatures.json for its
// files (replacing one it had), to out (in place when "").
func signTarball(path, out string, sc *opabundle.SigningConfig) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	entries, err := readTarball(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var files []bundleFile
	for _, e := range entries {
		if e.hdr.Typeflag == tar.TypeReg {
			files = append(files, bundleFile{e.hdr.Name, e.data})
		}
	}
	sigs, err := signatures(files, sc)
	if err != nil {
		return err
	}
	sigsEntry := tarEntry{&tar.Header{Name: "/.signatures.json", Mode: 0o644, Size: int64(len(sigs)), Typeflag: tar.TypeReg}, sigs}
	signed, err := writeTarball(append([]tarEntry{sigsEntry}, entries...))
	if err != nil {
		return err
	}
	if out == "" {
		out = path
	}
	return os.WriteFile(out, signed, 0o644)
}

// tarEntry is one entry of a bundle tarball.
type tarEntry struct {
	hdr  *tar.Header
	data []byte
}

// readTarball is every entry of a .tar.gz but its signatures file.
func readTarball(raw []byte) ([]tarEntry, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var entries []tarEntry
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(tr, opabundle.DefaultSizeLimitBytes+1))
		if err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg || !opabundle.IsSignaturesFile(hdr.Name) {
			entries = append(entries, tarEntry{hdr, data})
		}
	}
}

// writeTarball is entries as a .tar.gz.
func writeTarball(entries []tarEntry) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		if err := tw.WriteHeader(e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// hashFile hashes one bundle file as opa sign does: structured documents
// (data.json, data.yaml, .manifest) by their decoded value, others by
// their bytes, with SHA-256.
func hashFile(name string, data []byte) (opabundle.FileInfo, error) {
	h, err := opabundle.NewSignatureHasher(opabundle.SHA256)
	if err != nil {
		return opabundle.FileInfo{}, err
	}
	var v any = data
	if opabundle.IsStructuredDoc(name) {
		if err := util.Unmarshal(data, &v); err != nil {
			return opabundle.FileInfo{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	sum, err := h.HashFile(v)
	if err != nil {
		return opabundle.FileInfo{}, err
	}
	return opabundle.NewFile(strings.TrimPrefix(name, "/"), hex.EncodeToString(sum), opabundle.SHA256.String()), nil
}

// bundleFile is a file of a bundle: its name and content.
type bundleFile struct {
	name string
	data []byte
}

// signatures is the .signatures.json content for files, hashed and signed
// with OPA's own code.
func signatures(files []bundleFile, sc *opabundle.SigningConfig) ([]byte, error) {
	infos := make([]opabundle.FileInfo, 0, len(files))
	for _, f := range files {
		fi, err := hashFile(f.name, f.data)
		if err != nil {
			return nil, err
		}
		infos = append(infos, fi)
	}
	token, err := opabundle.GenerateSignedToken(infos, sc, "")
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return json.MarshalIndent(map[string]any{"signatures": []string{token}}, "", " ")
}
