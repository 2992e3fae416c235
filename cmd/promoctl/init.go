package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// initCmd writes a new bundle with an example campaign and its tests.
type initCmd struct{}

func (initCmd) name() string { return "init" }
func (initCmd) synopsis() string {
	return "create a new bundle directory with an example campaign (a when: block) and its price tests"
}

// starter is the new bundle, by path.
var starter = map[string]string{
	".manifest": `{"revision": "1", "roots": ["promo"]}
`,
	"promo/campaigns/welcome-10/data.yaml": `# A campaign: data.promo.campaigns.welcome-10. See the README of promoedge
# for every field, and "Campaigns without Rego" for the when: vocabulary.
name: Welcome - 10% off your first order over $50
priority: 10
currency: USD
when:
  customer:
    signed_in: true
    orders: 0                   # no previous order
  cart:
    subtotal: {over: 5000}      # minor units: $50.00
effects:
  - {type: percent_off, percent: 10, scope: cart, max_discount: 2000}
`,
	"promo/campaigns/welcome-10/welcome-10_test.yaml": `# promoctl test prices these with the real engine.
defaults:
  context: {now: "2026-11-24T12:00:00Z", channel: web}
  cart:
    currency: USD
    items: [{id: l1, sku: MUG-1, categories: [kitchen], quantity: 3, unit_price: 2000}]
cases:
  - name: a new customer over $50 gets 10% off
    customer: {id: u-1, orders_count: 0}
    want:
      discount: 600
      total: 5400
      applied: {welcome-10: 600}
  - name: a returning customer does not
    customer: {id: u-2, orders_count: 3}
    want:
      discount: 0
      not_applied: [welcome-10]
      rejected:
        welcome-10: {reason: rule, details: [customer must have no previous orders]}
  - name: an anonymous cart does not
    want:
      rejected:
        welcome-10: {reason: rule, details: [customer must be signed in]}
`,
}

func (c initCmd) run(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flags(c, "<new bundle dir>", stderr)
	if ok, err := parse(fset, args); !ok {
		return err
	}
	if fset.NArg() != 1 {
		fset.Usage()
		return errUsage
	}
	dir := fset.Arg(0)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for name, content := range starter {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "created %s: try promoctl lint %[1]s, promoctl test %[1]s, promoctl build %[1]s\n", dir)
	return nil
}
