package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// walletCmd shows, lists and adjusts a customer's loyalty wallet.
type walletCmd struct{}

func (walletCmd) name() string { return "wallet" }
func (walletCmd) synopsis() string {
	return "show a loyalty wallet, list its history, or adjust it (admin): wallet show|history|adjust CUSTOMER"
}

func (c walletCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "show|history|adjust CUSTOMER [POINTS]", stderr)
	var r remote
	r.flags(fs)
	at := fs.String("at", "", "show: read as of this RFC 3339 time")
	reason := fs.String("reason", "", "adjust: why (required)")
	key := fs.String("key", "", "adjust: idempotency key (default: derived from customer, points and reason)")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	sub, rest := fs.Arg(0), fs.Args()
	if len(rest) > 0 {
		rest = rest[1:]
	}
	var when time.Time
	if *at != "" {
		t, err := time.Parse(time.RFC3339Nano, *at)
		if err != nil {
			return usageError(fs, stderr, "--at must be an RFC 3339 time, got %q", *at)
		}
		when = t
	}
	var points int64
	switch {
	case sub != "show" && sub != "history" && sub != "adjust":
		return usageError(fs, stderr, "want show, history or adjust, got %q", sub)
	case sub == "adjust" && len(rest) != 2:
		return usageError(fs, stderr, "adjust takes CUSTOMER POINTS")
	case sub != "adjust" && len(rest) != 1:
		return usageError(fs, stderr, "%s takes CUSTOMER", sub)
	case sub == "adjust":
		n, err := strconv.ParseInt(rest[1], 10, 64)
		if err != nil || n == 0 {
			return usageError(fs, stderr, "POINTS must be a non-zero integer such as 500 or -200, got %q", rest[1])
		}
		if *reason == "" {
			return usageError(fs, stderr, "adjust needs --reason")
		}
		points = n
	}
	cl, err := r.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	enc := json.NewEncoder(stdout)
	customer := rest[0]
	switch sub {
	case "show":
		v, err := cl.Wallet(ctx, customer, when)
		if err != nil {
			return explain(err)
		}
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "history":
		return explain(cl.WalletTransactions(ctx, customer, func(wt *policies.WalletTx) error { return enc.Encode(wt) }))
	}
	k := *key
	if k == "" {
		k = fmt.Sprintf("promoctl:%s:%d:%s", customer, points, *reason)
	}
	wt, err := cl.Adjust(ctx, customer, points, *reason, k)
	if err != nil {
		return explain(err)
	}
	return enc.Encode(wt)
}
