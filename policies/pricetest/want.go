package pricetest

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"github.com/promoedge/promoedge/policies"
)

// Want is what a case asserts; what it leaves out is not checked, unless
// the file is exhaustive (see File.Exhaustive). Amounts are compared
// exactly. applied, rejected, points and free_items take one of two
// forms: a mapping checks the campaigns (or skus) it names and no others;
// a list is the whole of that part of the decision, in order.
type Want struct {
	Subtotal         *int64                `json:"subtotal"`
	Shipping         *int64                `json:"shipping"`
	Discount         *int64                `json:"discount"`
	ShippingDiscount *int64                `json:"shipping_discount"`
	Total            *int64                `json:"total"`
	Applied          *Applied              `json:"applied"`
	NotApplied       []string              `json:"not_applied"` // these campaigns did not apply
	Rejected         *Rejected             `json:"rejected"`
	Points           *Points               `json:"points"`
	FreeItems        *FreeItems            `json:"free_items"`
	Items            *[]policies.ItemTotal `json:"items"` // every item's totals, in order
	// GiftCards is {campaign: amount}: what the cards of these gift card
	// programs pay (SPEC §8); AmountDue is total less what cards pay.
	GiftCards map[string]int64 `json:"gift_cards"`
	AmountDue *int64           `json:"amount_due"`
}

// Applied is want.applied: {campaign: amount}, these campaigns applied
// with their effects summing to these amounts; or the list of every
// application.
type Applied = Listed[Application]

// Points is want.points: {campaign: points} or the list of every award.
type Points = Listed[policies.PointAward]

// FreeItems is want.free_items: {sku: quantity} or the list of every
// free item.
type FreeItems = Listed[policies.FreeItem]

// Listed is a part of the decision written as sums by name (Sums) or as
// the whole list (List, non-nil when the list form was written).
type Listed[T any] struct {
	Sums map[string]int64
	List []T
}

// UnmarshalJSON takes a mapping or a list.
func (l *Listed[T]) UnmarshalJSON(b []byte) error {
	if isList(b) {
		l.List = []T{}
		return strict(b, &l.List)
	}
	return strict(b, &l.Sums)
}

// Application is one applied effect as a list of applications states it;
// its lines are compared only when the case lists them.
type Application struct {
	Campaign    string                 `json:"campaign"`
	Code        string                 `json:"code,omitempty"`
	Effect      policies.EffectType    `json:"effect"`
	Amount      int64                  `json:"amount"`
	ReducedFrom int64                  `json:"reduced_from,omitempty"`
	Lines       *[]policies.LineAmount `json:"lines,omitempty"`
}

// Rejected is want.rejected: {campaign: reason or {reason, details}},
// these campaigns were rejected for these reasons; or the list of every
// rejection.
type Rejected struct {
	ByCampaign map[string]Rejection
	List       []RejectedEntry
}

// UnmarshalJSON takes a mapping or a list.
func (r *Rejected) UnmarshalJSON(b []byte) error {
	if isList(b) {
		r.List = []RejectedEntry{}
		return strict(b, &r.List)
	}
	return strict(b, &r.ByCampaign)
}

// Rejection is a rejected campaign's reason and, when given, its details.
type Rejection struct {
	Reason  policies.Reason `json:"reason"`
	Details []string        `json:"details"`
}

// UnmarshalJSON takes a bare reason ("rule") or {reason, details}.
func (r *Rejection) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		r.Reason = policies.Reason(s)
		return nil
	}
	type plain Rejection
	return strict(b, (*plain)(r))
}

// RejectedEntry is one rejection as a list of rejections states it; its
// details are compared only when the case lists them.
type RejectedEntry struct {
	Campaign string    `json:"campaign,omitempty"`
	Code     string    `json:"code,omitempty"`
	Reason   string    `json:"reason"`
	Details  *[]string `json:"details,omitempty"`
}

// Campaigns lists the campaigns w says applied or were rejected.
func (w *Want) Campaigns() []string {
	var out []string
	if w.Applied != nil {
		out = append(out, slices.Sorted(maps.Keys(w.Applied.Sums))...)
		for _, a := range w.Applied.List {
			out = append(out, a.Campaign)
		}
	}
	out = append(out, slices.Sorted(maps.Keys(w.GiftCards))...)
	if w.Rejected != nil {
		out = append(out, slices.Sorted(maps.Keys(w.Rejected.ByCampaign))...)
		for _, r := range w.Rejected.List {
			out = append(out, r.Campaign)
		}
	}
	return out
}

// exhaustive is w with what it leaves out made explicit: no discount, no
// shipping discount, nothing applied, rejected, awarded or given.
func (w Want) exhaustive() Want {
	var zero int64
	if w.Discount == nil {
		w.Discount = &zero
	}
	if w.ShippingDiscount == nil {
		w.ShippingDiscount = &zero
	}
	if w.Applied == nil {
		w.Applied = &Applied{List: []Application{}}
	}
	if w.Rejected == nil {
		w.Rejected = &Rejected{List: []RejectedEntry{}}
	}
	if w.Points == nil {
		w.Points = &Points{List: []policies.PointAward{}}
	}
	if w.FreeItems == nil {
		w.FreeItems = &FreeItems{List: []policies.FreeItem{}}
	}
	return w
}

func isList(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '['
}

// strict decodes b into v refusing unknown fields, as the whole file is.
func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
