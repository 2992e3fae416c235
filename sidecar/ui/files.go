package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
)

//go:embed static
var static embed.FS

// File is one embedded file of the dashboard.
type File struct {
	Data        []byte
	ContentType string
	ETag        string // strong, quoted: the content's hash
}

// files are the embedded files by name, read once.
var files = func() map[string]File {
	out := map[string]File{}
	entries, err := fs.ReadDir(static, "static")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	for _, e := range entries {
		data, err := static.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(data)
		out[e.Name()] = File{Data: data, ContentType: contentType(e.Name()), ETag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
}()

// Lookup is the file named name ("index.html", "app.js", ...).
func Lookup(name string) (File, bool) {
	f, ok := files[name]
	return f, ok
}

// contentType does not depend on the machine's mime.types, which may map
// .js to something a browser refuses to run.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
