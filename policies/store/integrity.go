package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileError is a store file that cannot be opened as it is: empty,
// damaged or truncated. Err is one of ErrEmpty, ErrDamaged, ErrTruncated.
type FileError struct {
	Path   string
	Err    error
	Detail string
}

func (e *FileError) Error() string {
	s := fmt.Sprintf("store file %s: %v", e.Path, e.Err)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s + " (restore a backup, see docs/operations.md; the file was left as it is)"
}

func (e *FileError) Unwrap() error { return e.Err }

// inspect refuses a file that exists but is not a whole, consistent bbolt
// file, before the store opens it for writing: bbolt would make a 0-byte
// file a new, empty store (usage and ledger gone), panic on a damaged
// page and raise SIGBUS past the end of a truncated file. An absent file
// is fine: it is a new store. It opens the file read-only, compares its
// size with the pages its meta page counts, and reads every page in use
// (checkTx).
func inspect(path string, timeout time.Duration) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if fi.Size() == 0 {
		return &FileError{Path: path, Err: ErrEmpty, Detail: "refusing to start it as a new store"}
	}
	db, err := openReadOnly(path, timeout)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error { return checkTx(path, fi.Size(), tx) })
}

// openReadOnly opens path read-only, a damaged meta page or a bbolt panic
// turned into a FileError.
func openReadOnly(path string, timeout time.Duration) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, &FileError{Path: path, Err: ErrDamaged, Detail: fmt.Sprint(r)}
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, openError(path, err)
	case err != nil:
		return nil, &FileError{Path: path, Err: ErrDamaged, Detail: err.Error()}
	}
	return db, nil
}

// checkTx compares the file's size with its pages, then reads every key
// of every bucket in order. bbolt's own tx.Check cannot serve here: on a
// file written without a freelist (NoFreelistSync) it first rebuilds the
// freelist in a goroutine that panics, unrecoverably, on the first
// damaged page. The walk runs in this goroutine, where bbolt's panics
// and memory faults are recovered, and finds the damage bbolt would
// panic on: a page of the wrong type, a page out of the file, keys out of
// order.
func checkTx(path string, size int64, tx *bolt.Tx) (err error) {
	if tx.Size() > size {
		return &FileError{Path: path, Err: ErrTruncated, Detail: fmt.Sprintf("%d bytes, its pages need %d", size, tx.Size())}
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &FileError{Path: path, Err: ErrDamaged, Detail: fmt.Sprint(r)}
		}
	}()
	return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		if err := walk(b); err != nil {
			return &FileError{Path: path, Err: ErrDamaged, Detail: fmt.Sprintf("bucket %q: %v", name, err)}
		}
		return nil
	})
}

// walk reads every key of b and of its nested buckets, in order.
func walk(b *bolt.Bucket) error {
	var prev []byte
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("key %x after %x: out of order", k, prev)
		}
		prev = append(prev[:0], k...)
		if v != nil {
			continue
		}
		if nb := b.Bucket(k); nb != nil {
			if err := walk(nb); err != nil {
				return fmt.Errorf("%q: %w", k, err)
			}
		}
	}
	return nil
}
