package decisionlog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// rotator is a decision log file that is renamed aside when it reaches
// Config.MaxBytes: the file becomes FILE.1, FILE.1 becomes FILE.2, and so
// on up to FILE.<MaxFiles>; the oldest goes. The writer (queue.drain)
// rotates between lines only, so no line is split across files.
type rotator struct {
	path  string
	max   int64 // bytes in one file; 0 never rotates
	files int   // rotated files kept
	f     *os.File
	size  int64
}

func openRotator(path string, max int64, files int) (*rotator, error) {
	r := &rotator{path: path, max: max, files: files}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *rotator) open() error {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("%w: opening %s: %w", ErrConfig, r.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	r.f, r.size = f, fi.Size()
	return nil
}

func (r *rotator) Write(p []byte) (int, error) {
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *rotator) Close() error { return r.f.Close() }

// full reports whether a line would take the file past its size, with
// pending bytes buffered for it: a file is never empty after a rotation,
// so a line longer than the limit still goes out, alone in its file.
func (r *rotator) full(pending, line int) bool {
	n := r.size + int64(pending)
	return r.max > 0 && n > 0 && n+int64(line) > r.max
}

// rotate renames the file aside, shifting the older ones, and starts a
// new one.
func (r *rotator) rotate() error {
	if err := r.f.Close(); err != nil {
		return err
	}
	err := os.Remove(r.name(r.files))
	if r.files == 0 {
		err = os.Remove(r.path)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for i := r.files - 1; i >= 0; i-- {
		if err := os.Rename(r.name(i), r.name(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return r.open()
}

// name is the file of generation i: the live file for 0, FILE.i after.
func (r *rotator) name(i int) string {
	if i == 0 {
		return r.path
	}
	return fmt.Sprintf("%s.%d", r.path, i)
}
