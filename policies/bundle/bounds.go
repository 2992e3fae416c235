package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Defaults of a Config's bounds on what a bundle holds.
const (
	DefaultMaxBytes      = 32 << 20 // one file
	DefaultMaxTotalBytes = 64 << 20 // every file together, uncompressed
	DefaultMaxFiles      = 10000
)

// ErrTooLarge is wrapped by the refusal of a bundle that holds more than
// its Config allows: too many files, a file too large, or too many bytes
// once inflated.
var ErrTooLarge = errors.New("bundle too large")

// withDefaults fills in the bounds left at zero.
func (c Config) withDefaults() Config {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxTotalBytes <= 0 {
		c.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if c.MaxFiles <= 0 {
		c.MaxFiles = DefaultMaxFiles
	}
	return c
}

// bounded counts a bundle's files and bytes against cfg's bounds.
type bounded struct {
	cfg   Config
	files int
	bytes int64
}

// file counts one file of size bytes, and refuses it past a bound.
func (b *bounded) file(name string, size int64) error {
	b.files++
	b.bytes += max(size, 0)
	switch {
	case b.files > b.cfg.MaxFiles:
		return fmt.Errorf("%w: more than %d files", ErrTooLarge, b.cfg.MaxFiles)
	case size > b.cfg.MaxBytes:
		return fmt.Errorf("%w: %s is %d bytes, more than the %d a file may hold", ErrTooLarge, name, size, b.cfg.MaxBytes)
	case b.bytes > b.cfg.MaxTotalBytes:
		return b.inflated()
	}
	return nil
}

func (b *bounded) inflated() error {
	return fmt.Errorf("%w: more than %d bytes uncompressed", ErrTooLarge, b.cfg.MaxTotalBytes)
}

// checkTarball reads the gzipped tarball r to its end, keeping nothing,
// and refuses it as soon as it holds more than cfg allows: OPA's loader,
// which reads every file into memory before it looks at the first, only
// sees bundles that fit. Files count by their headers' sizes (which the
// tar reader holds them to); the inflated stream is counted as well, so
// that entries other than files cannot inflate without bound either. A tarball too broken to read is left for OPA's loader to
// refuse in its own words; it reads no further than this check did.
func checkTarball(r io.Reader, cfg Config) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil
	}
	defer zr.Close()
	b := &bounded{cfg: cfg}
	// The stream holds the files and, per entry, a header and padding (a
	// long name's or PAX record's block more; Go's reader bounds those).
	cr := &countedReader{r: zr, left: cfg.MaxTotalBytes + int64(cfg.MaxFiles+2)*3*tarBlock + 1<<20}
	tr := tar.NewReader(cr)
	for {
		h, err := tr.Next()
		if err == nil {
			err = b.file(h.Name, h.Size)
		}
		if err == nil {
			_, err = io.Copy(io.Discard, tr)
		}
		switch {
		case errors.Is(err, errInflated):
			return b.inflated()
		case errors.Is(err, ErrTooLarge):
			return err
		case err != nil: // io.EOF: the end; else broken, for OPA to word
			return nil
		}
	}
}

// tarBlock is a tar archive's unit: the end of an archive is two of them.
const tarBlock = 512

var errInflated = errors.New("inflated past the limit")

// countedReader fails once more than left bytes were read through it.
type countedReader struct {
	r    io.Reader
	left int64
}

func (c *countedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errInflated
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errInflated
	}
	return n, err
}

// checkFS walks a bundle directory (or embedded bundle) and refuses it
// when it holds more than cfg allows, from the files' sizes, before any
// file is read.
func checkFS(fsys fs.FS, cfg Config) error {
	b := &bounded{cfg: cfg}
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return b.file(p, info.Size())
	})
}

// refusal is the LoadError of a bundle refused before it was loaded: for
// its bounds (ErrTooLarge) or because it could not be read.
func refusal(source string, err error) error {
	return &LoadError{Source: source, Problems: []Problem{{Message: err.Error()}}, Err: err}
}

// checkTarballOnce checks a tarball's bounds and returns a reader of it
// from its start: r rewound when it is an io.ReadSeeker, else r's bytes
// in memory (at most the bound on the inflated bundle and some: a tarball
// compresses).
func checkTarballOnce(r io.Reader, cfg Config) (io.Reader, error) {
	rs, err := rereadable(r, cfg)
	if err != nil {
		return nil, err
	}
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	if err := checkTarball(rs, cfg); err != nil {
		return nil, err
	}
	if _, err := rs.Seek(start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	return rs, nil
}

func rereadable(r io.Reader, cfg Config) (io.ReadSeeker, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		return rs, nil
	}
	limit := cfg.MaxTotalBytes + 1<<20
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes compressed", ErrTooLarge, limit)
	}
	return bytes.NewReader(data), nil
}
