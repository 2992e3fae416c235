package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/promoedge/promoedge/policies"
)

// CodeSpec asks GenerateCodes for Count codes (1 to 1,000,000). In
// Pattern, '#' is a digit, '?' an upper-case letter, anything else
// literal; Prefix and Postfix are literal.
type CodeSpec = policies.CodeSpec

// codeBatch is how many codes GenerateCodes hands over at once.
const codeBatch = 1024

// GenerateCodes asks the sidecar for spec.Count new codes of campaign
// (admin; the campaign needs unique_codes) and hands them to emit in
// batches as they arrive, so that a million codes never sit in memory.
// batch is reused after emit returns; an error of emit stops the call.
// It returns how many codes were delivered: when it is below spec.Count
// the error is ErrIncomplete, and the delivered codes are committed.
func (c *Client) GenerateCodes(ctx context.Context, campaign string, spec CodeSpec, emit func(batch []string) error) (int64, error) {
	s, err := c.openStream(ctx, http.MethodPost, "/v1/campaigns/"+url.PathEscape(campaign)+"/codes", spec)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	r := codesReader{s: s, dec: json.NewDecoder(s), batch: make([]string, 0, codeBatch)}
	if err := r.read(emit); err != nil {
		return r.delivered, err
	}
	if err := s.trailer(io.MultiReader(r.dec.Buffered(), s), r.delivered); err != nil {
		return r.delivered, err
	}
	if r.delivered != r.count {
		return r.delivered, s.broken(r.delivered, fmt.Errorf("the answer announced %d codes", r.count))
	}
	return r.delivered, nil
}

// codesReader reads {"campaign", "count", "codes": [...]} token by token.
type codesReader struct {
	s         *stream
	dec       *json.Decoder
	batch     []string
	count     int64 // as announced
	delivered int64
}

func (r *codesReader) read(emit func([]string) error) error {
	if err := r.delim('{'); err != nil {
		return err
	}
	for r.dec.More() {
		key, err := r.token()
		if err != nil {
			return err
		}
		switch key {
		case "codes":
			err = r.codes(emit)
		case "count":
			err = r.dec.Decode(&r.count)
		default: // "campaign", and whatever a newer sidecar adds
			var skip json.RawMessage
			err = r.dec.Decode(&skip)
		}
		if err != nil {
			return r.fail(err)
		}
	}
	return r.delim('}')
}

func (r *codesReader) codes(emit func([]string) error) error {
	if err := r.delim('['); err != nil {
		return err
	}
	for r.dec.More() {
		code, err := r.token()
		if err != nil {
			return err
		}
		if r.batch = append(r.batch, code); len(r.batch) == codeBatch {
			if err := r.flush(emit); err != nil {
				return err
			}
		}
	}
	if err := r.flush(emit); err != nil {
		return err
	}
	return r.delim(']')
}

func (r *codesReader) flush(emit func([]string) error) error {
	if len(r.batch) == 0 {
		return nil
	}
	if err := emit(r.batch); err != nil {
		return err
	}
	r.delivered += int64(len(r.batch))
	r.batch = r.batch[:0]
	return nil
}

// token reads a string token.
func (r *codesReader) token() (string, error) {
	t, err := r.dec.Token()
	if err != nil {
		return "", r.fail(err)
	}
	str, ok := t.(string)
	if !ok {
		return "", r.fail(fmt.Errorf("want a string, got %v", t))
	}
	return str, nil
}

func (r *codesReader) delim(want json.Delim) error {
	t, err := r.dec.Token()
	if err == nil && t != want {
		err = fmt.Errorf("want %v, got %v", want, t)
	}
	if err != nil {
		return r.fail(err)
	}
	return nil
}

// fail is a broken answer. A sidecar that fails midway closes the JSON
// before its error line, so a read error here is the connection's.
func (r *codesReader) fail(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return r.s.broken(r.delivered, fmt.Errorf("decoding the codes: %w", err))
}
