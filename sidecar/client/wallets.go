package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Wallet is a customer's loyalty wallet as of at (the zero time: now).
func (c *Client) Wallet(ctx context.Context, customer string, at time.Time) (*policies.WalletView, error) {
	path := "/v1/wallets/" + url.PathEscape(customer)
	if !at.IsZero() {
		path += "?at=" + url.QueryEscape(at.Format(time.RFC3339Nano))
	}
	var v policies.WalletView
	if err := c.call(ctx, http.MethodGet, path, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// WalletTransactions calls each with the wallet's ledger, oldest first, as
// the sidecar streams it; an error of each stops the call.
func (c *Client) WalletTransactions(ctx context.Context, customer string, each func(*policies.WalletTx) error) error {
	s, err := c.openStream(ctx, http.MethodGet, "/v1/wallets/"+url.PathEscape(customer)+"/transactions?format=ndjson", nil)
	if err != nil {
		return err
	}
	defer s.Close()
	var n int64
	return eachLine(s, func(line []byte) error {
		var wt policies.WalletTx
		if err := json.Unmarshal(line, &wt); err != nil {
			return s.broken(n, fmt.Errorf("decoding transaction %d: %w", n+1, err))
		}
		n++
		return each(&wt)
	}, func() int64 { return n })
}

// Adjust credits (points > 0) or debits a wallet (admin), once per key.
func (c *Client) Adjust(ctx context.Context, customer string, points int64, reason, key string) (*policies.WalletTx, error) {
	in := map[string]any{"points": points, "reason": reason, "idempotency_key": key}
	var wt policies.WalletTx
	if err := c.call(ctx, http.MethodPost, "/v1/wallets/"+url.PathEscape(customer)+"/adjust", in, &wt); err != nil {
		return nil, err
	}
	return &wt, nil
}

// ClaimReward spends points on a donation reward, once per key.
func (c *Client) ClaimReward(ctx context.Context, customer, reward, key string) (*policies.ClaimResult, error) {
	in := map[string]any{"reward": reward, "idempotency_key": key}
	var r policies.ClaimResult
	if err := c.call(ctx, http.MethodPost, "/v1/wallets/"+url.PathEscape(customer)+"/rewards", in, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
