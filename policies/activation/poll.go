package activation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/promoedge/promoedge/policies/bundle"
)

// Poller fetches bundles from an OPA-style bundle server.
type Poller struct {
	// URL of the bundle (a gzipped tarball).
	URL string
	// Every is the polling interval when all is well.
	Every time.Duration
	// MaxBackoff bounds the wait after repeated errors.
	MaxBackoff time.Duration
	// Client makes the requests; nil is a client with a 30 s timeout.
	Client *http.Client

	etag string // of the last bundle seen, good or refused
}

// ErrNotModified: the server answered 304, the active bundle stays.
var ErrNotModified = errors.New("bundle not modified")

// RefusedError: the server's bundle arrived and was refused; the last good
// one keeps serving.
type RefusedError struct{ Err error }

func (e *RefusedError) Error() string { return "bundle refused: " + e.Err.Error() }

// Unwrap returns the load error.
func (e *RefusedError) Unwrap() error { return e.Err }

// Fetch asks once, with If-None-Match, and activates what comes back.
func (a *Activator) Fetch(ctx context.Context, p *Poller) (*Activation, error) {
	client := p.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return nil, err
	}
	if p.etag != "" {
		req.Header.Set("If-None-Match", p.etag)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, a.unreachable(p.URL, fmt.Errorf("fetching bundle: %w", err))
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, ErrNotModified
	case http.StatusOK:
	default:
		return nil, a.unreachable(p.URL, fmt.Errorf("fetching bundle: %s answered %s", p.URL, resp.Status))
	}
	limit := a.cfg.MaxTotalBytes // compressed, it is no larger
	if limit <= 0 {
		limit = bundle.DefaultMaxTotalBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	// A refused bundle is not downloaded again until the server has
	// another one.
	p.etag = resp.Header.Get("ETag")
	if int64(len(data)) > limit {
		return nil, &RefusedError{a.refuse(SourceBundleServer, p.URL, fmt.Errorf("bundle is larger than %d bytes", limit))}
	}
	act, err := a.tarball(ctx, SourceBundleServer, p.URL, data)
	if err != nil && act == nil {
		return nil, &RefusedError{err}
	}
	return act, err
}

// Poll fetches every p.Every until ctx ends. Errors reaching the server
// back off exponentially up to p.MaxBackoff; 304 keeps the bundle.
func (a *Activator) Poll(ctx context.Context, p *Poller) {
	wait := p.Every
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		act, err := a.Fetch(ctx, p)
		switch {
		case err == nil:
			a.cfg.Log.Info("bundle active", "revision", act.Revision, "source", p.URL)
			wait = p.Every
		case errors.Is(err, ErrNotModified):
			wait = p.Every
		case errors.As(err, new(*RefusedError)):
			a.cfg.Log.Warn("bundle refused, the last good one keeps serving", "url", p.URL, "err", err)
			wait = p.Every
		default:
			wait = min(max(2*wait, p.Every), p.MaxBackoff)
			a.cfg.Log.Warn("bundle server unreachable, backing off", "url", p.URL, "err", err, "retry_in", wait)
		}
	}
}
