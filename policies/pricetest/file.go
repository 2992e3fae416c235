package pricetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/internal/yamljson"
	"github.com/promoedge/promoedge/policies"
)

// File is one test file.
type File struct {
	Path string `json:"-"`
	// Exhaustive makes every case's want the whole story: discount and
	// shipping_discount not written are 0; applied, rejected, points and
	// free_items not written are empty; total must be written.
	Exhaustive bool `json:"exhaustive"`
	// Fixtures holds YAML anchors (carts, contexts) that cases refer to;
	// nothing reads it.
	Fixtures any `json:"fixtures"`
	// Bundle is the file's own bundle, for a file that is not inside the
	// bundle it tests (see Bundle).
	Bundle   *Bundle        `json:"bundle"`
	Defaults map[string]any `json:"defaults"`
	// GiftCards are gift cards every case has (a case's own add to them
	// and win), by code.
	GiftCards map[string]Card `json:"gift_cards"`
	Cases     []Case          `json:"cases"`
}

// Case is one request and what the engine must answer.
type Case struct {
	Name     string         `json:"name"`
	Cart     map[string]any `json:"cart"`
	Customer map[string]any `json:"customer"`
	Context  map[string]any `json:"context"`
	Codes    []string       `json:"codes"`
	// Wallet stands for the loyalty wallet rules see as input.wallet
	// ({tier, balance, earned, pending}); a sidecar reads it from its store.
	Wallet  map[string]any `json:"wallet"`
	Explain bool           `json:"explain"`
	// Usage is how much of their limits campaigns have used when the case
	// is priced; campaigns not listed have used nothing.
	Usage map[string]Usage `json:"usage"`
	// GiftCards are the gift cards that exist when the case is priced, by
	// code (a sidecar reads them from its store); present them in codes.
	GiftCards map[string]Card `json:"gift_cards"`
	Want      Want            `json:"want"`
	Line      int             `json:"-"`
}

// Usage is a campaign's consumption of its limits.
type Usage struct {
	Redemptions int64 `json:"redemptions"` // redemptions so far
	Customer    int64 `json:"customer"`    // redemptions by the case's customer
	Spent       int64 `json:"spent"`       // discount given so far, minor units
	// Period is the use within the campaign's current period (per-period
	// limits); nil: none.
	Period *Usage `json:"period,omitempty"`
}

// usage is the case's usage as the engine reads it; nil when it has none.
func (c *Case) usage() policies.Usage {
	if c.Usage == nil {
		return nil
	}
	return usageTable(c.Usage)
}

// Card is a gift card of a case: its program and balance, and optionally
// its currency and expiry.
type Card struct {
	Campaign  string    `json:"campaign"`
	Balance   int64     `json:"balance"`
	Currency  string    `json:"currency"`
	ExpiresAt time.Time `json:"expires_at"`
}

// cards is a case's gift cards as the engine reads them (codes and
// balances); read only.
type cards map[string]Card

func (cs cards) LookupCode(_ context.Context, code string) (string, policies.Reason, bool, error) {
	c, ok := cs[code]
	return c.Campaign, "", ok, nil
}

func (cs cards) GiftCard(_ context.Context, code string) (*policies.GiftCard, error) {
	c, ok := cs[code]
	if !ok {
		return nil, fmt.Errorf("%w: %q", policies.ErrUnknownCode, code)
	}
	return &policies.GiftCard{Code: code, Campaign: c.Campaign, Currency: c.Currency, Balance: c.Balance, Expiry: c.ExpiresAt}, nil
}

func (cs cards) GiftCardView(ctx context.Context, code string) (*policies.GiftCard, []policies.GiftCardTx, error) {
	c, err := cs.GiftCard(ctx, code)
	return c, nil, err
}

func (cs cards) ChangeBalance(context.Context, *policies.BalanceChange) (*policies.GiftCardTx, error) {
	return nil, errors.New("price tests change no balance")
}

type usageTable map[string]Usage

func (u usageTable) Used(_ context.Context, campaign, _ string) (policies.Used, error) {
	c := u[campaign]
	return policies.Used{Redemptions: c.Redemptions, Customer: c.Customer, Spent: c.Spent}, nil
}

// UsedIn implements policies.PeriodUsage: the case's usage, with its
// period usage whichever period is asked.
func (u usageTable) UsedIn(ctx context.Context, campaign, _, customer string) (policies.Used, error) {
	used, _ := u.Used(ctx, campaign, customer)
	if p := u[campaign].Period; p != nil {
		used.PeriodRedemptions, used.PeriodCustomer, used.PeriodSpent = p.Redemptions, p.Customer, p.Spent
	}
	return used, nil
}

// ReadFile reads and checks a test file.
func ReadFile(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, raw)
}

// Parse reads a test file's content; path names it in errors.
func Parse(path string, raw []byte) (*File, error) {
	js, err := yamljson.ToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	f := &File{Path: path}
	if err := dec.Decode(f); err != nil {
		return nil, explain(path, raw, err)
	}
	lines := caseLines(raw)
	seen := map[string]bool{}
	for i := range f.Cases {
		c := &f.Cases[i]
		if i < len(lines) {
			c.Line = lines[i]
		}
		if c.Name == "" {
			c.Name = "case " + strconv.Itoa(i+1)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("%s:%d: two cases are named %q", path, c.Line, c.Name)
		}
		if f.Exhaustive && c.Want.Total == nil {
			return nil, fmt.Errorf("%s:%d: case %q must state want.total (the file is exhaustive)", path, c.Line, c.Name)
		}
		seen[c.Name] = true
	}
	if len(f.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", path)
	}
	return f, nil
}

// caseLines are the lines the cases start on.
func caseLines(raw []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(raw, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "cases" {
			var out []int
			for _, c := range root.Content[i+1].Content {
				out = append(out, c.Line)
			}
			return out
		}
	}
	return nil
}

// Request is the case's evaluate body: its own keys over the defaults.
func (f *File) Request(c *Case) map[string]any {
	doc := map[string]any{}
	for k, v := range f.Defaults {
		doc[k] = v
	}
	set := func(k string, v any, ok bool) {
		if ok {
			doc[k] = v
		}
	}
	set("cart", c.Cart, c.Cart != nil)
	set("customer", c.Customer, c.Customer != nil)
	set("context", c.Context, c.Context != nil)
	set("codes", toAny(c.Codes), c.Codes != nil)
	set("explain", c.Explain, c.Explain)
	set("wallet", c.Wallet, c.Wallet != nil)
	return deepCopy(doc).(map[string]any)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// deepCopy copies decoded JSON, so that a request never shares (and the
// engine never fills in) the defaults of another.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// knownKeys are the keys a test file may use, for suggestions: the JSON
// names of File and of every type within it.
func knownKeys() []string {
	var out []string
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				out = append(out, name)
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[File]())
	return out
}

var unknownField = regexp.MustCompile(`unknown field "([^"]*)"`)

// explain turns a decoding error into one that names the file, the line
// of an unknown key and the key probably meant.
func explain(path string, raw []byte, err error) error {
	m := unknownField.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return fmt.Errorf("%s:%d: unknown field %q%s", path, keyLine(raw, m[1]), m[1], suggest.DidYouMean(m[1], knownKeys()))
}

// keyLine is the line of the first mapping key named key, 0 if none.
func keyLine(raw []byte, key string) int {
	var doc yaml.Node
	if yaml.Unmarshal(raw, &doc) != nil {
		return 0
	}
	var find func(n *yaml.Node) int
	find = func(n *yaml.Node) int {
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 && c.Value == key {
				return c.Line
			}
			if l := find(c); l > 0 {
				return l
			}
		}
		return 0
	}
	return find(&doc)
}
