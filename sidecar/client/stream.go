package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// stream is the body of a streamed 200 answer. The client's timeout
// bounds each wait for more data, not the whole answer: a million codes
// take seconds to commit, and keep coming all along.
type stream struct {
	op     string
	ctx    context.Context
	cancel context.CancelCauseFunc
	body   io.ReadCloser
	idle   time.Duration
	timer  *time.Timer // nil without a timeout
}

// openStream sends the request and returns the answer's body as a stream;
// a non-200 answer is an *APIError.
func (c *Client) openStream(ctx context.Context, method, path string, in any) (*stream, error) {
	s := &stream{op: method + " " + path, idle: c.timeout}
	s.ctx, s.cancel = context.WithCancelCause(ctx)
	if s.idle > 0 {
		s.timer = time.AfterFunc(s.idle, s.stalled)
	}
	resp, err := c.send(s.ctx, s.op, method, path, in)
	if err != nil {
		var stalled errStalled
		if errors.As(context.Cause(s.ctx), &stalled) {
			err = fmt.Errorf("%w (%w)", err, stalled)
		}
		s.stop()
		return nil, err
	}
	s.body = resp.Body
	return s, nil
}

// errStalled is the cause of a stream cancelled for want of data.
type errStalled time.Duration

func (e errStalled) Error() string {
	return fmt.Sprintf("the sidecar sent nothing for %v", time.Duration(e))
}

func (e errStalled) Is(target error) bool { return target == context.DeadlineExceeded }

func (s *stream) stalled() { s.cancel(errStalled(s.idle)) }

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.body.Read(p)
	if s.timer != nil {
		s.timer.Reset(s.idle)
	}
	if err != nil && err != io.EOF {
		if cause := context.Cause(s.ctx); cause != nil {
			err = cause
		}
	}
	return n, err
}

func (s *stream) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
	s.cancel(nil)
}

// Close reads what is left of a whole answer (so that the connection goes
// back to the pool) and closes the body.
func (s *stream) Close() error {
	defer s.stop()
	_, err := io.Copy(io.Discard, io.LimitReader(s.body, maxErrorBody))
	if cerr := s.body.Close(); err == nil {
		err = cerr
	}
	return err
}

// errorMarker begins the line a sidecar appends to a streamed answer that
// failed after its 200 was sent.
const errorMarker = "#error:"

// trailer checks what follows a streamed JSON document: nothing, or the
// sidecar's error line.
func (s *stream) trailer(rest io.Reader, delivered int64) error {
	raw, err := io.ReadAll(io.LimitReader(rest, maxErrorBody))
	if err != nil {
		return s.broken(delivered, err)
	}
	t := strings.TrimSpace(string(raw))
	switch {
	case t == "":
		return nil
	case strings.HasPrefix(t, errorMarker):
		return &StreamError{Op: s.op, Message: strings.TrimSpace(strings.TrimPrefix(t, errorMarker)), Delivered: delivered}
	default:
		return s.broken(delivered, fmt.Errorf("unexpected %.40q after the answer", t))
	}
}

// broken is a stream that failed after delivered items.
func (s *stream) broken(delivered int64, err error) error {
	return fmt.Errorf("promoedge: %s: after %d items: %w: %w", s.op, delivered, ErrIncomplete, err)
}
