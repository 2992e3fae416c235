package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/promoedge/promoedge/policies"
)

// encode is the body of every attempt of n.
func encode(n *policies.Notice) ([]byte, error) {
	b, err := json.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("encoding notice %s: %w", n.ID, err)
	}
	return b, nil
}

// attempt POSTs body to e once, with this attempt's timestamp and
// signature, within Config.Timeout; nil only for a 2xx.
func (w *Worker) attempt(ctx context.Context, e Endpoint, id string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := w.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "promoedge-webhooks")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	if e.Secret != nil {
		req.Header.Set("webhook-signature", Sign(e.Secret, id, ts, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("no answer within %s: %w", w.cfg.Timeout, err)
		}
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fmt.Errorf("%w %d (a redirect, to %q: redirects are not followed)", errStatus, resp.StatusCode, resp.Header.Get("Location"))
	}
	return fmt.Errorf("%w %d: %s", errStatus, resp.StatusCode, bytes.TrimSpace(snippet))
}
