package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

// Endpoint is one receiver of every notice.
type Endpoint struct {
	// Name is how flags, triggers and GET /v1/webhooks name it.
	Name string
	// URL is where notices are POSTed: http or https.
	URL string
	// Secret is the HMAC key (the base64 part of a whsec_ secret,
	// decoded); nil sends no webhook-signature.
	Secret []byte
}

// Config is the worker's.
type Config struct {
	// Endpoints receive the notices; names are unique.
	Endpoints []Endpoint
	// InFlight bounds the deliveries under way at once, across endpoints.
	InFlight int
	// Timeout bounds one attempt, from connecting to reading the status:
	// a receiver that hangs or answers slowly fails that attempt.
	Timeout time.Duration
	// FirstRetry is the delay before the first retry; each later one
	// doubles it (with jitter), up to MaxBackoff.
	FirstRetry time.Duration
	// MaxBackoff caps the delay between two attempts.
	MaxBackoff time.Duration
	// RetryFor is how long after its commit a notice is still retried;
	// a failure past it counts the notice failed.
	RetryFor time.Duration
	// MaxPending bounds each endpoint's queue in the store: past it the
	// oldest notice is dropped and counted failed. 0: unbounded.
	MaxPending int
	// Window bounds the notices of one endpoint held in memory (being
	// attempted or waiting for a retry); the rest wait in the store.
	Window int
	// Poll is how often the outbox is read when no commit signalled.
	Poll time.Duration
	// SettleEvery is how long outcomes are gathered before they are
	// written to the store in one transaction.
	SettleEvery time.Duration
	// Client sends the requests; nil is one that follows no redirect
	// (New sets CheckRedirect on a client given here too).
	Client *http.Client
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// DefaultConfig is 16 in flight, 10 s per attempt, the first retry after
// 1 s, retries for 24 hours, 100,000 pending per endpoint.
func DefaultConfig() Config {
	return Config{InFlight: 16, Timeout: 10 * time.Second, FirstRetry: time.Second, MaxBackoff: time.Hour,
		RetryFor: 24 * time.Hour, MaxPending: 100_000, Window: 1024, Poll: time.Second, SettleEvery: 100 * time.Millisecond}
}

// ErrConfig wraps every problem Validate finds.
var ErrConfig = errors.New("webhook")

// namePattern is an endpoint's name: it appears in flags, bundles and keys.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Validate reports the first problem of c.
func (c *Config) Validate() error {
	seen := map[string]bool{}
	for _, e := range c.Endpoints {
		if !namePattern.MatchString(e.Name) {
			return fmt.Errorf("%w: endpoint name %q: use 1-63 lower-case letters, digits, - or _", ErrConfig, e.Name)
		}
		if seen[e.Name] {
			return fmt.Errorf("%w: endpoint %q is named twice", ErrConfig, e.Name)
		}
		seen[e.Name] = true
		if err := CheckURL(e.URL); err != nil {
			return fmt.Errorf("%w: endpoint %q: %v", ErrConfig, e.Name, err)
		}
	}
	switch {
	case c.InFlight < 1:
		return fmt.Errorf("%w: in flight must be at least 1, got %d", ErrConfig, c.InFlight)
	case c.Timeout <= 0 || c.FirstRetry <= 0 || c.MaxBackoff < c.FirstRetry || c.RetryFor <= 0 || c.Poll <= 0 || c.SettleEvery <= 0:
		return fmt.Errorf("%w: timeout, first retry, max backoff (at least the first retry), retry period, poll and settle period must be positive", ErrConfig)
	case c.MaxPending < 0 || c.Window < 1:
		return fmt.Errorf("%w: max pending must be 0 or more and window at least 1", ErrConfig)
	}
	return nil
}

// CheckURL refuses what is not an absolute http(s) URL with a host.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("URL %q: %v", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("URL %q: must be http:// or https://", raw)
	case u.Host == "":
		return fmt.Errorf("URL %q: has no host", raw)
	case u.User != nil:
		return fmt.Errorf("URL %q: must not carry credentials (use a secret file)", raw)
	}
	return nil
}
