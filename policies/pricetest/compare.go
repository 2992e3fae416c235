package pricetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/promoedge/promoedge/policies"
)

// want is what case c of f asserts, with the file's exhaustiveness.
func (f *File) want(c *Case) Want {
	if f.Exhaustive {
		return c.Want.exhaustive()
	}
	return c.Want
}

// check lists every way dec differs from w.
func (w Want) check(dec *policies.Decision) []string {
	var out []string
	amount := func(what string, want *int64, got int64) {
		if want != nil && *want != got {
			out = append(out, fmt.Sprintf("%s = %d, want %d", what, got, *want))
		}
	}
	amount("subtotal", w.Subtotal, dec.Subtotal)
	amount("shipping", w.Shipping, dec.Shipping)
	amount("discount", w.Discount, dec.Discount)
	amount("shipping_discount", w.ShippingDiscount, dec.ShippingDiscount)
	amount("total", w.Total, dec.Total)
	amount("amount_due", w.AmountDue, dec.AmountDue)
	if w.GiftCards != nil {
		out = append(out, sameAmounts("gift_cards", w.GiftCards, sums(dec.GiftCards, func(g policies.GiftCardPayment) (string, int64) { return g.Campaign, g.Amount }))...)
	}
	out = append(out, w.checkApplied(dec)...)
	out = append(out, checkListed("points", w.Points, dec.Points, func(p policies.PointAward) (string, int64) { return p.Campaign, p.Points })...)
	out = append(out, checkListed("free_items", w.FreeItems, dec.FreeItems, func(fi policies.FreeItem) (string, int64) { return fi.SKU, fi.Quantity })...)
	if w.Items != nil {
		out = append(out, sameJSON("items", *w.Items, dec.Items)...)
	}
	for _, id := range w.NotApplied {
		if i := slices.IndexFunc(dec.Applied, func(a policies.Applied) bool { return a.Campaign == id }); i >= 0 {
			a := dec.Applied[i]
			out = append(out, fmt.Sprintf("applied: %s applied (%s %d), want it not applied", id, a.Effect, a.Amount))
		}
	}
	return append(out, w.checkRejected(dec)...)
}

func (w Want) checkApplied(dec *policies.Decision) []string {
	switch {
	case w.Applied == nil:
		return nil
	case w.Applied.List == nil:
		return sameAmounts("applied", w.Applied.Sums, sums(dec.Applied, func(a policies.Applied) (string, int64) { return a.Campaign, a.Amount }))
	}
	got := make([]Application, len(dec.Applied))
	for i, a := range dec.Applied {
		got[i] = Application{Campaign: a.Campaign, Code: a.Code, Effect: a.Effect, Amount: a.Amount, ReducedFrom: a.ReducedFrom}
		if i < len(w.Applied.List) && w.Applied.List[i].Lines != nil { // lines only where the case lists them
			lines := orEmpty(a.Lines)
			got[i].Lines = &lines
		}
	}
	return sameJSON("applied", w.Applied.List, got)
}

// checkListed checks a part of the decision against its mapping form
// (sums by the name key gives) or its list form.
func checkListed[T any](what string, want *Listed[T], got []T, key func(T) (string, int64)) []string {
	switch {
	case want == nil:
		return nil
	case want.List != nil:
		return sameJSON(what, want.List, orEmpty(got))
	}
	return sameAmounts(what, want.Sums, sums(got, key))
}

// sums adds up the amounts of got by the name key gives.
func sums[T any](got []T, key func(T) (string, int64)) map[string]int64 {
	out := map[string]int64{}
	for _, g := range got {
		k, n := key(g)
		out[k] += n
	}
	return out
}

// sameAmounts checks the amount of every key of want.
func sameAmounts(what string, want, got map[string]int64) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: %s is missing (want %d)", what, k, want[k]))
		case g != want[k]:
			out = append(out, fmt.Sprintf("%s: %s = %d, want %d", what, k, g, want[k]))
		}
	}
	return out
}

// sameJSON compares two lists as their JSON, and reports both.
func sameJSON(what string, want, got any) []string {
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if bytes.Equal(w, g) {
		return nil
	}
	return []string{fmt.Sprintf("%s:\n got: %s\nwant: %s", what, g, w)}
}

func (w Want) checkRejected(dec *policies.Decision) []string {
	switch {
	case w.Rejected == nil:
		return nil
	case w.Rejected.List != nil:
		got := make([]RejectedEntry, len(dec.Rejected))
		for i, r := range dec.Rejected {
			got[i] = RejectedEntry{Campaign: r.Campaign, Code: r.Code, Reason: string(r.Reason)}
			if i < len(w.Rejected.List) && w.Rejected.List[i].Details != nil { // details only where the case lists them
				details := orEmpty(r.Details)
				got[i].Details = &details
			}
		}
		return sameJSON("rejected", w.Rejected.List, got)
	}
	var out []string
	for _, id := range slices.Sorted(maps.Keys(w.Rejected.ByCampaign)) {
		out = append(out, rejected(id, w.Rejected.ByCampaign[id], dec)...)
	}
	return out
}

func rejected(id string, want Rejection, dec *policies.Decision) []string {
	for _, r := range dec.Rejected {
		if r.Campaign != id {
			continue
		}
		var out []string
		if want.Reason != "" && r.Reason != want.Reason {
			out = append(out, fmt.Sprintf("rejected: %s reason %q, want %q (details %q)", id, r.Reason, want.Reason, r.Details))
		}
		if want.Details != nil && !slices.Equal(want.Details, r.Details) {
			out = append(out, fmt.Sprintf("rejected: %s details %q, want %q", id, r.Details, want.Details))
		}
		return out
	}
	for _, a := range dec.Applied {
		if a.Campaign == id {
			return []string{fmt.Sprintf("rejected: %s applied, want it rejected (%s)", id, want.Reason)}
		}
	}
	return []string{fmt.Sprintf("rejected: %s is not in rejected (want %s)", id, want.Reason)}
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
