package policies

import (
	"encoding/json"
	"strconv"
)

// AppendJSON appends d as encoding/json encodes it, byte for byte (field
// order, omitempty, null for nil lists, HTML-safe escaping), without
// reflection: a priced cart of fifty campaigns on twenty lines is some
// thirty kilobytes, and encoding/json spends more on it than the pricing.
func (d *Decision) AppendJSON(b []byte) []byte {
	b = append(b, `{"currency":`...)
	b = appendString(b, d.Currency)
	b = append(b, `,"bundle_revision":`...)
	b = appendString(b, d.BundleRevision)
	b = appendInt(b, `,"subtotal":`, d.Subtotal)
	b = appendInt(b, `,"shipping":`, d.Shipping)
	b = appendInt(b, `,"discount":`, d.Discount)
	b = appendInt(b, `,"shipping_discount":`, d.ShippingDiscount)
	b = appendInt(b, `,"total":`, d.Total)
	b = appendList(b, `,"applied":`, d.Applied, (*Applied).appendJSON)
	b = appendList(b, `,"free_items":`, d.FreeItems, (*FreeItem).appendJSON)
	b = appendList(b, `,"points":`, d.Points, (*PointAward).appendJSON)
	b = appendList(b, `,"rejected":`, d.Rejected, (*Rejection).appendJSON)
	b = appendList(b, `,"items":`, d.Items, (*ItemTotal).appendJSON)
	return append(b, '}')
}

func (a *Applied) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if a.Campaign != "" {
		b = append(b, `"campaign":`...)
		b = appendString(b, a.Campaign)
	}
	if a.Reward != "" {
		b = append(comma(b), `"reward":`...)
		b = appendString(b, a.Reward)
	}
	if a.Code != "" {
		b = append(comma(b), `"code":`...)
		b = appendString(b, a.Code)
	}
	if a.Variant != "" {
		b = append(comma(b), `"variant":`...)
		b = appendString(b, a.Variant)
	}
	b = append(comma(b), `"effect":`...)
	b = appendString(b, string(a.Effect))
	b = appendInt(b, `,"amount":`, a.Amount)
	if a.PointsSpent != 0 {
		b = appendInt(b, `,"points_spent":`, a.PointsSpent)
	}
	if len(a.Lines) > 0 {
		b = appendList(b, `,"lines":`, a.Lines, (*LineAmount).appendJSON)
	}
	if a.ReducedFrom != 0 {
		b = appendInt(b, `,"reduced_from":`, a.ReducedFrom)
	}
	return append(b, '}')
}

// comma separates the next field from the last, unless it is the first.
func comma(b []byte) []byte {
	if b[len(b)-1] == '{' {
		return b
	}
	return append(b, ',')
}

func (l *LineAmount) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, l.ID)
	b = appendInt(b, `,"amount":`, l.Amount)
	return append(b, '}')
}

func (f *FreeItem) appendJSON(b []byte) []byte {
	b = append(b, `{"sku":`...)
	b = appendString(b, f.SKU)
	b = appendInt(b, `,"quantity":`, f.Quantity)
	b = append(b, `,"campaign":`...)
	b = appendString(b, f.Campaign)
	return append(b, '}')
}

func (p *PointAward) appendJSON(b []byte) []byte {
	b = append(b, `{"campaign":`...)
	b = appendString(b, p.Campaign)
	b = appendInt(b, `,"points":`, p.Points)
	return append(b, '}')
}

func (r *Rejection) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if r.Campaign != "" {
		b = append(b, `"campaign":`...)
		b = appendString(b, r.Campaign)
		b = append(b, ',')
	}
	if r.Reward != "" {
		b = append(b, `"reward":`...)
		b = appendString(b, r.Reward)
		b = append(b, ',')
	}
	if r.Code != "" {
		b = append(b, `"code":`...)
		b = appendString(b, r.Code)
		b = append(b, ',')
	}
	if r.Variant != "" {
		b = append(b, `"variant":`...)
		b = appendString(b, r.Variant)
		b = append(b, ',')
	}
	b = append(b, `"reason":`...)
	b = appendString(b, string(r.Reason))
	if len(r.Details) > 0 {
		b = append(b, `,"details":[`...)
		for i, s := range r.Details {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func (t *ItemTotal) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, t.ID)
	b = appendInt(b, `,"subtotal":`, t.Subtotal)
	b = appendInt(b, `,"discount":`, t.Discount)
	b = appendInt(b, `,"total":`, t.Total)
	return append(b, '}')
}

// appendList appends key and the list, null when it is nil.
func appendList[T any](b []byte, key string, list []T, item func(*T, []byte) []byte) []byte {
	b = append(b, key...)
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = item(&list[i], b)
	}
	return append(b, ']')
}

func appendInt(b []byte, key string, n int64) []byte {
	return strconv.AppendInt(append(b, key...), n, 10)
}

// appendString quotes s; a string with anything that encoding/json
// escapes (quotes, backslashes, control and non-ASCII characters, <, >, &)
// goes through encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plain[s[i]] {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plain are the bytes encoding/json writes as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
