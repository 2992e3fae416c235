package examples

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var files embed.FS

// Default is the example bundle served when promoedge starts without
// --bundle: a campaign for each promotion a user knows.
func Default() fs.FS {
	sub, err := fs.Sub(files, "default")
	if err != nil { // cannot happen: the directory is embedded
		return files
	}
	return sub
}
