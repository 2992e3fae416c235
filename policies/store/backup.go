package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole file to w from one read
// transaction (bbolt's Tx.WriteTo): redemptions keep committing while it
// runs, and the copy holds exactly those committed before it began. It
// returns the bytes written. The copy is a store file: open it with Open,
// or put it in place of promoedge.db (docs/operations.md).
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// BackupFile writes Backup to path, whole or not at all: through a
// temporary file beside it, synced, then renamed.
func (s *Store) BackupFile(path string) (int64, error) {
	return WriteFileAtomic(path, s.Backup)
}

// WriteFileAtomic writes path with write, through a temporary file beside
// it that is synced and renamed into place, so path is never seen in part.
func WriteFileAtomic(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("store: backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return n, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return n, nil
}
