package client_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/promoedge/promoedge/sidecar/client"
)

// A checkout prices a cart, commits it, and undoes it (the README's
// example; it needs a sidecar on the socket, so it is compiled, not run).
func Example() {
	ctx := context.Background()
	c, err := client.New("unix:///run/promoedge.sock", client.WithTimeout(2*time.Second))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	req := client.Request{
		Cart:     client.Cart{Currency: "USD", Items: []client.Item{{ID: "l1", SKU: "SHOE-1", Quantity: 1, UnitPrice: 4999}}},
		Customer: &client.Customer{ID: "u-42", Tier: "vip"},
		Codes:    []string{"SUMMER20"},
	}
	dec, err := c.Evaluate(ctx, &req)
	if err != nil {
		panic(err)
	}
	fmt.Println("the customer pays", dec.Total)
	rcpt, err := c.Redeem(ctx, &client.RedeemRequest{Request: req, OrderID: "o-1", IdempotencyKey: "o-1"})
	var apiErr *client.APIError
	switch {
	case errors.Is(err, client.ErrIdempotencyConflict):
		// the key was used for another body
	case errors.Is(err, client.ErrLimitRace):
		// retry
	case errors.As(err, &apiErr) && apiErr.Status == 400:
		fmt.Println("fix", apiErr.Field)
	case err == nil:
		if _, err := c.Rollback(ctx, rcpt.RedemptionID); err != nil {
			panic(err)
		}
	}
}
