package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/promoedge/promoedge/sidecar/client"
)

// defaultURL is where `promoedge serve` listens unless told otherwise
// (sidecar.DefaultConfig().Listen).
const defaultURL = "http://127.0.0.1:8181"

// tokenEnv holds the admin token when --token is not given.
const tokenEnv = "PROMOEDGE_ADMIN_TOKEN"

// remote is the flags of a command that calls a sidecar.
type remote struct {
	url     string
	token   string
	timeout time.Duration
}

func (r *remote) flags(fs *flag.FlagSet) {
	fs.StringVar(&r.url, "url", defaultURL, "the sidecar: http://host:port or unix:///path/to/promoedge.sock")
	fs.StringVar(&r.token, "token", "", "admin token (default $"+tokenEnv+")")
	fs.DurationVar(&r.timeout, "timeout", client.DefaultTimeout, "longest wait for the sidecar to send more")
}

// client connects to the sidecar the flags name.
func (r *remote) client() (*client.Client, error) {
	token := r.token
	if token == "" {
		token = os.Getenv(tokenEnv)
	}
	return client.New(r.url, client.WithAdminToken(token), client.WithTimeout(r.timeout))
}

// explain adds what to do about the errors an operator can fix.
func explain(err error) error {
	switch {
	case errors.Is(err, client.ErrUnauthorized):
		return fmt.Errorf("%w (the admin token: --token or $%s)", err, tokenEnv)
	case errors.Is(err, client.ErrForbidden):
		return fmt.Errorf("%w (the sidecar runs without --admin-token)", err)
	}
	return err
}

// output is where a command writes its result: stdout, or a file that
// appears, whole, only when the command succeeds.
type output struct {
	name string // as the summary shows it
	path string // "" for stdout
	tmp  *os.File
	*bufio.Writer
}

// create opens the output path ("" or "-" for stdout): a temporary file
// beside path until commit.
func create(path string, stdout io.Writer) (*output, error) {
	if path == "" || path == "-" {
		return &output{name: "stdout", Writer: bufio.NewWriterSize(stdout, 64<<10)}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating the output: %w", err)
	}
	return &output{name: path, path: path, tmp: tmp, Writer: bufio.NewWriterSize(tmp, 64<<10)}, nil
}

// commit flushes the output and renames the file into place.
func (o *output) commit() error {
	if err := o.Flush(); err != nil {
		o.abort("")
		return fmt.Errorf("writing %s: %w", o.name, err)
	}
	if o.tmp == nil {
		return nil
	}
	if err := o.tmp.Sync(); err != nil {
		o.abort("")
		return fmt.Errorf("writing %s: %w", o.name, err)
	}
	if err := o.tmp.Close(); err != nil {
		os.Remove(o.tmp.Name())
		return fmt.Errorf("writing %s: %w", o.name, err)
	}
	if err := os.Rename(o.tmp.Name(), o.path); err != nil {
		os.Remove(o.tmp.Name())
		return fmt.Errorf("writing %s: %w", o.name, err)
	}
	return nil
}

// abort drops the output; with keep, what was written is kept under that
// name instead (stdout has had it already). It returns where it is kept.
func (o *output) abort(keep string) string {
	flushed := o.Flush() == nil
	if o.tmp == nil {
		return ""
	}
	o.tmp.Close()
	if keep != "" && flushed && os.Rename(o.tmp.Name(), keep) == nil {
		return keep
	}
	os.Remove(o.tmp.Name())
	return ""
}

// usageError prints what is wrong with the command line and its usage.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "promoctl %s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return errUsage
}
