package policies

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/internal/jsondoc"
)

// Request is one pricing question: a cart, who buys it, in what context,
// with which codes. Its typed fields are validated; Input is the whole
// decoded document (unknown fields included, context.now filled in) that
// rules see as their input.
type Request struct {
	Cart     Cart
	Customer Customer // zero for an anonymous cart
	Context  Context
	Codes    []string
	// Explain lists campaigns that need a code the request did not present
	// as rejected with code_required instead of leaving them out.
	Explain bool
	// Rewards are the loyalty rewards the customer spends points on.
	Rewards []string
	// Input is the request as the rules see it.
	Input map[string]any
}

// Cart is what is being bought.
type Cart struct {
	ID       string
	Currency string
	Items    []Item
	Shipping Shipping
}

// Item is one cart line.
type Item struct {
	ID         string
	SKU        string
	Categories []string
	Quantity   int64
	UnitPrice  int64 // minor units
	Attributes map[string]any
}

// Amount is the line's price before discounts.
func (it *Item) Amount() int64 { return it.Quantity * it.UnitPrice }

// Shipping is the cart's shipping charge.
type Shipping struct {
	Method string
	Amount int64
}

// Customer is who buys; the rules read the rest of it from Request.Input.
type Customer struct {
	ID       string
	Timezone *time.Location // nil when not given
}

// Context is where and when the request happens.
type Context struct {
	Now     time.Time
	Channel string
	StoreID string
	Country string
}

// Limits on a request's size, beyond the HTTP body limit.
const (
	MaxItems = 1000
	MaxCodes = 20
	// MaxRewards bounds the rewards one request may ask for.
	MaxRewards = 20
)

// MaxAmount bounds a line's amount, the shipping charge and every amount
// of an effect (docs/campaigns.md#effects); MaxQuantity a line's quantity
// and every quantity of an effect. They keep every sum of a cart far from
// overflow; products of an effect's amount and a cart's quantity are
// checked (money.Mul).
const (
	MaxAmount   = 1 << 50
	MaxQuantity = 1 << 20
)

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// DecodeRequest parses and validates a JSON request body. now is used when
// the request carries no context.now. Every problem is reported in a
// *RequestError naming its field.
func DecodeRequest(body []byte, now time.Time) (*Request, error) {
	return decodeRequest(body, now, nil)
}

// decodeRequest is DecodeRequest with the customer's zone looked up in
// zones (nil: loaded every time).
func decodeRequest(body []byte, now time.Time, zones *zoneCache) (*Request, error) {
	doc, err := decodeDocument(body)
	if err != nil {
		return nil, err
	}
	return requestFrom(doc, now, zones)
}

// decodeDocument parses a JSON object body from outside (a request, an
// event): numbers as json.Number, nesting bounded to jsondoc.MaxDepth on
// the fast path and on encoding/json's alike, and one *RequestError for
// anything else than one object.
func decodeDocument(body []byte) (map[string]any, error) {
	if doc, ok := jsondoc.Decode(body); ok {
		return doc, nil
	}
	if jsondoc.TooDeep(body) { // the bound jsondoc.Decode holds, on this path too
		return nil, &RequestError{Problems: []*FieldError{{Message: fmt.Sprintf("body nests deeper than %d levels", jsondoc.MaxDepth)}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, &RequestError{Problems: []*FieldError{{Message: "body is not a JSON object: " + jsonProblem(err)}}}
	}
	if dec.More() {
		return nil, &RequestError{Problems: []*FieldError{{Message: "body has data after the JSON object"}}}
	}
	if doc == nil {
		return nil, &RequestError{Problems: []*FieldError{{Message: "body must be a JSON object"}}}
	}
	return doc, nil
}

// RequestFrom validates an already decoded request document (numbers as
// json.Number) and fills in context.now. doc becomes the request's Input.
func RequestFrom(doc map[string]any, now time.Time) (*Request, error) {
	return requestFrom(doc, now, nil)
}

func requestFrom(doc map[string]any, now time.Time, zones *zoneCache) (*Request, error) {
	var errs field.Errors
	top := field.Object("", doc, &errs)
	r := &Request{Input: doc}
	if c := top.Object("cart"); c != nil {
		r.Cart = readCart(c)
	} else if !top.Has("cart") {
		top.Fail("cart", "is required")
	}
	if c := top.Object("customer"); c != nil {
		r.Customer = readCustomer(c, zones)
	}
	ctx := top.Object("context")
	if ctx == nil {
		if top.Has("context") {
			return nil, &RequestError{Problems: errs}
		}
		m := map[string]any{}
		doc["context"] = m
		ctx = field.Object("context", m, &errs)
	}
	r.Context = readContext(ctx, now)
	r.Codes = top.Strings("codes")
	if len(r.Codes) > MaxCodes {
		top.Fail("codes", "at most %d codes per request, got %d", MaxCodes, len(r.Codes))
	}
	r.Explain = top.Bool("explain", false)
	r.Rewards = top.Strings("rewards")
	if len(r.Rewards) > MaxRewards {
		top.Fail("rewards", "at most %d rewards per request, got %d", MaxRewards, len(r.Rewards))
	}
	if len(errs) > 0 {
		return nil, &RequestError{Problems: errs}
	}
	return r, nil
}

func readCart(c *field.Obj) Cart {
	cart := Cart{ID: c.String("id", ""), Currency: c.String("currency", "")}
	if !currencyRE.MatchString(cart.Currency) {
		c.Fail("currency", "must be an ISO 4217 code such as \"USD\", got %q", cart.Currency)
	}
	if n := c.Len("items"); n > MaxItems {
		c.Fail("items", "at most %d lines, got %d", MaxItems, n)
		return cart
	}
	items := c.Objects("items")
	cart.Items = make([]Item, 0, len(items))
	var ids map[string]bool // a large cart's line ids; a small one's are scanned
	if len(items) > smallCart {
		ids = make(map[string]bool, len(items))
	}
	for _, o := range items {
		if o == nil {
			continue
		}
		it := readItem(o)
		if it.ID == "" && o.Has("id") {
			o.Fail("id", "must not be empty")
		} else if it.ID == "" {
			o.Fail("id", "is required")
		} else if seenLine(cart.Items, ids, it.ID) {
			o.Fail("id", "duplicates line id %q", it.ID)
		}
		if ids != nil {
			ids[it.ID] = true
		}
		cart.Items = append(cart.Items, it)
	}
	if s := c.Object("shipping"); s != nil {
		cart.Shipping = Shipping{Method: s.String("method", ""), Amount: s.Int("amount", 0, 0)}
		if cart.Shipping.Amount > MaxAmount {
			s.Fail("amount", "is too large")
		}
	}
	return cart
}

// smallCart is the most lines whose ids are checked for duplicates by
// scanning the lines before, without a map.
const smallCart = 32

// seenLine reports whether a line before has id: in ids, or, for a small
// cart (ids nil), among items.
func seenLine(items []Item, ids map[string]bool, id string) bool {
	if ids != nil {
		return ids[id]
	}
	for i := range items {
		if items[i].ID == id {
			return true
		}
	}
	return false
}

func readItem(o *field.Obj) Item {
	it := Item{
		ID:         o.String("id", ""),
		SKU:        o.String("sku", ""),
		Categories: o.Strings("categories"),
		Quantity:   o.Int("quantity", 0, 1),
		UnitPrice:  o.Int("unit_price", 0, 0),
		Attributes: o.Map("attributes"),
	}
	if !o.Has("quantity") {
		o.Fail("quantity", "is required")
	}
	if !o.Has("unit_price") {
		o.Fail("unit_price", "is required")
	}
	if it.Quantity > MaxQuantity || it.UnitPrice > MaxAmount || it.Quantity > 0 && it.UnitPrice > MaxAmount/it.Quantity {
		o.Fail("quantity", "quantity times unit_price is too large")
	}
	return it
}

func readCustomer(o *field.Obj, zones *zoneCache) Customer {
	c := Customer{ID: o.String("id", "")}
	if tz := o.String("timezone", ""); tz != "" {
		loc, err := zones.Load(tz)
		if err != nil {
			o.Fail("timezone", "unknown IANA time zone %q", tz)
		}
		c.Timezone = loc
	}
	if b := o.String("birthday", ""); b != "" {
		if _, err := time.Parse(time.DateOnly, b); err != nil || !dateRE.MatchString(b) {
			o.Fail("birthday", "must be a date YYYY-MM-DD, got %q", b)
		}
	}
	for _, k := range []string{"created_at", "last_order_at"} {
		if s := o.String(k, ""); s != "" {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				o.Fail(k, "must be an RFC 3339 time, got %q", s)
			}
		}
	}
	o.Int("orders_count", 0, 0)
	o.Strings("segments")
	o.String("tier", "")
	o.String("country", "")
	return c
}

func readContext(o *field.Obj, now time.Time) Context {
	c := Context{Channel: o.String("channel", ""), StoreID: o.String("store_id", ""), Country: o.String("country", "")}
	if s := o.String("now", ""); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			o.Fail("now", "must be an RFC 3339 time, got %q", s)
		}
		c.Now = t
		return c
	}
	c.Now = now
	o.Set("now", now.UTC().Format(time.RFC3339Nano))
	return c
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "top level must be an object"
	}
	return err.Error()
}
