// Package client is the Go client a checkout service uses to call its
// promoedge sidecar: price a cart (Evaluate), commit its promotions
// (Redeem), undo them (Rollback), and read campaigns and codes, over TCP or
// a unix socket, with typed requests, answers and errors. Operators' tools
// (promoctl) use it too: generate codes (GenerateCodes) and export the
// ledger (ExportLedger, Redemptions), both streamed in constant memory.
//
// The wire shapes are docs/api.md (and the sidecar's /v1/openapi.yaml); a
// decision is a policies.Decision, which is already exactly that shape.
//
//	c, err := client.New("unix:///run/promoedge.sock")
//	dec, err := c.Evaluate(ctx, &client.Request{Cart: cart, Customer: &customer})
//	rcpt, err := c.Redeem(ctx, &client.RedeemRequest{Request: req, OrderID: "o-1", IdempotencyKey: "o-1"})
//	if errors.Is(err, client.ErrIdempotencyConflict) { ... }
//
// # Caveats
//
// A Client keeps one http.Transport with keep-alive connections; make one
// per sidecar and share it between goroutines. Redeem is idempotent only
// for the same body byte for byte: retry with the same *RedeemRequest, not
// one rebuilt with, say, a different context.now. A campaign whose limit
// ran out between Evaluate and Redeem is not an error: it is under
// Receipt.Rejected, and the checkout decides.
//
// A streamed answer has sent its 200 before the sidecar knows whether it
// will finish: a failure midway arrives as a last "#error: ..." line,
// returned as a *StreamError (errors.Is ErrIncomplete) after the data
// before it was delivered; generated codes delivered are committed. The
// ledger export counts records by line, as the sidecar writes them.
package client
