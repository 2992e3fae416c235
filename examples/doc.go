// Package examples holds runnable bundles for the promotions users know:
// the default bundle (embedded in the binary and served when promoedge
// starts without --bundle) has one campaign for each promotion a user knows,
// and every one is priced by a test through the HTTP API.
package examples
