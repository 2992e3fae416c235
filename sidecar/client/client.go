package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// Client calls one sidecar. It is safe for concurrent use; connections
// are kept alive and reused.
type Client struct {
	base       string // scheme://host, no trailing slash
	http       *http.Client
	adminToken string
	apiToken   string
	timeout    time.Duration
}

// Option configures New.
type Option func(*Client) error

// WithAdminToken is the bearer token for the admin calls: Disable, Enable,
// GenerateCodes, Code, ExportLedger, Redemptions and Audit (the sidecar's
// --admin-token). It opens every other call too.
func WithAdminToken(token string) Option {
	return func(c *Client) error { c.adminToken = token; return nil }
}

// WithAPIToken is the bearer token a sidecar started with --api-token
// requires of every call; a client with an admin token sends that instead.
func WithAPIToken(token string) Option {
	return func(c *Client) error { c.apiToken = token; return nil }
}

// WithTimeout bounds every call (default 10s; 0 for none). The sidecar
// answers in well under a millisecond; a redeem may wait up to 2 s for
// limit rights from other nodes of a cluster. A streamed answer
// (GenerateCodes, ExportLedger, Redemptions) may take as long as it needs
// while data keeps coming: there d bounds each wait for more.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("negative timeout %v", d)
		}
		c.timeout = d
		return nil
	}
}

// WithHTTPClient sends every call through hc instead of the client's own
// transport (for tests and custom dialing). It cannot be combined with a
// unix:// address, which needs the client's own transport.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("nil *http.Client")
		}
		c.http = hc
		return nil
	}
}

// DefaultTimeout bounds a call unless WithTimeout says otherwise.
const DefaultTimeout = 10 * time.Second

// New returns a client of the sidecar at addr: "http://127.0.0.1:8181" or
// "unix:///path/to/promoedge.sock".
func New(addr string, opts ...Option) (*Client, error) {
	c := &Client{timeout: DefaultTimeout}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, fmt.Errorf("promoedge client: %w", err)
		}
	}
	u, err := url.Parse(addr)
	if err != nil {
		return nil, fmt.Errorf("promoedge client: address %q: %w", addr, err)
	}
	switch {
	case u.Scheme == "unix" && u.Path != "":
		if c.http != nil {
			return nil, fmt.Errorf("promoedge client: %s: a unix socket cannot be used WithHTTPClient", addr)
		}
		c.base, c.http = "http://promoedge", &http.Client{Transport: newTransport("unix", u.Path)}
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && strings.Trim(u.Path, "/") == "":
		c.base = u.Scheme + "://" + u.Host
		if c.http == nil {
			c.http = &http.Client{Transport: newTransport("", "")}
		}
	default:
		return nil, fmt.Errorf("promoedge client: address %q: want http://host:port or unix:///path", addr)
	}
	return c, nil
}

// newTransport keeps connections alive for a sidecar on localhost; with a
// network, every connection dials that address instead.
func newTransport(network, address string) *http.Transport {
	d := &net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256, // one host: the default of 2 would close most connections under load
		IdleConnTimeout:     90 * time.Second,
	}
	if network != "" {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, address)
		}
	}
	return tr
}

// Close closes the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Evaluate prices req: which campaigns apply and what the cart costs. It
// changes nothing.
func (c *Client) Evaluate(ctx context.Context, req *Request) (*policies.Decision, error) {
	var d policies.Decision
	if err := c.call(ctx, http.MethodPost, "/v1/evaluate", req, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Redeem prices req again and commits every limit of every applied
// campaign, all or none, durably. Retrying with the same req returns the
// same receipt and counts nothing twice.
func (c *Client) Redeem(ctx context.Context, req *RedeemRequest) (*Receipt, error) {
	var r Receipt
	h, err := c.callHeader(ctx, http.MethodPost, "/v1/redemptions", req, &r)
	if err != nil {
		return nil, err
	}
	r.Replayed = h.Get("Idempotent-Replayed") == "true"
	return &r, nil
}

// Rollback gives back what redemption id consumed, once; a second call
// changes nothing and returns the redemption as it stands.
func (c *Client) Rollback(ctx context.Context, id string) (*Redemption, error) {
	var r Redemption
	if err := c.call(ctx, http.MethodPost, "/v1/redemptions/"+url.PathEscape(id)+"/rollback", nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Campaigns lists the active bundle's campaigns with their usage.
func (c *Client) Campaigns(ctx context.Context) (*Campaigns, error) {
	var cs Campaigns
	if err := c.call(ctx, http.MethodGet, "/v1/campaigns", nil, &cs); err != nil {
		return nil, err
	}
	return &cs, nil
}

// Campaign is one campaign with its usage.
func (c *Client) Campaign(ctx context.Context, id string) (*Campaign, error) {
	return c.campaign(ctx, http.MethodGet, "/v1/campaigns/"+url.PathEscape(id))
}

// Disable turns campaign id off on every node of the cluster (admin).
func (c *Client) Disable(ctx context.Context, id string) (*Campaign, error) {
	return c.campaign(ctx, http.MethodPost, "/v1/campaigns/"+url.PathEscape(id)+"/disable")
}

// Enable turns campaign id back on (admin).
func (c *Client) Enable(ctx context.Context, id string) (*Campaign, error) {
	return c.campaign(ctx, http.MethodPost, "/v1/campaigns/"+url.PathEscape(id)+"/enable")
}

func (c *Client) campaign(ctx context.Context, method, path string) (*Campaign, error) {
	var cp Campaign
	if err := c.call(ctx, method, path, nil, &cp); err != nil {
		return nil, err
	}
	return &cp, nil
}

// Code is a generated code's campaign, state, uses and owner (admin).
func (c *Client) Code(ctx context.Context, code string) (*Code, error) {
	var cd Code
	if err := c.call(ctx, http.MethodGet, "/v1/codes/"+url.PathEscape(code), nil, &cd); err != nil {
		return nil, err
	}
	return &cd, nil
}

// call sends in as JSON (nil: no body) and decodes a 200 answer into out;
// any other answer is an *APIError.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	_, err := c.callHeader(ctx, method, path, in, out)
	return err
}

// callHeader is call that also returns the answer's header.
func (c *Client) callHeader(ctx context.Context, method, path string, in, out any) (http.Header, error) {
	op := method + " " + path
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	resp, err := c.send(ctx, op, method, path, in)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, fmt.Errorf("promoedge: %s: decoding the answer: %w", op, err)
	}
	// Read to the end so that the connection goes back to the pool.
	_, err = io.Copy(io.Discard, resp.Body)
	if err != nil {
		return nil, fmt.Errorf("promoedge: %s: reading the answer: %w", op, err)
	}
	return resp.Header, nil
}

// tarball is a bundle (.tar.gz) that send sends as it is.
type tarball []byte

// send sends in as JSON (nil: no body; a tarball: as it is) and returns a
// 200 answer, whose body the caller closes; any other answer is an
// *APIError.
func (c *Client) send(ctx context.Context, op, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	contentType := "application/json"
	switch v := in.(type) {
	case nil:
	case tarball:
		body, contentType = bytes.NewReader(v), "application/gzip"
	default:
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("promoedge: %s: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("promoedge: %s: %w", op, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token := cmp.Or(c.adminToken, c.apiToken); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("promoedge: %s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, apiError(op, resp)
	}
	return resp, nil
}

// maxErrorBody bounds what is read of an error answer.
const maxErrorBody = 64 << 10

func apiError(op string, resp *http.Response) error {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{Op: op, Status: resp.StatusCode}
	var eb api.Error
	switch {
	case err != nil:
		e.Message = "reading the error answer: " + err.Error()
	case json.Unmarshal(raw, &eb) == nil && eb.Error.Code != "":
		e.Code, e.Message, e.Field, e.Details = eb.Error.Code, eb.Error.Message, eb.Error.Field, eb.Error.Details
	default: // not the sidecar's error body (a proxy in between?)
		e.Message = strings.TrimSpace(string(raw))
	}
	return e
}
