package policies

import "github.com/promoedge/promoedge/policies/internal/field"

// FreeItemEffect adds a free item to the decision.
const FreeItemEffect EffectType = "free_item"

// freeItemKind adds a free item (a SKU and a quantity) to the decision;
// it takes nothing off the cart's lines.
type freeItemKind struct{}

func (freeItemKind) read(o *field.Obj, e *Effect) {
	e.SKU = o.String("sku", "")
	if e.SKU == "" {
		o.Fail("sku", "is required")
	}
	e.Quantity = boundedInt(o, "quantity", 1, 1, MaxQuantity)
}

func (freeItemKind) lines(*Effect) *Filter { return nil }

func (freeItemKind) price(_ *cartState, o *outcome, e *Effect, a *Applied) {
	o.free = append(o.free, FreeItem{SKU: e.SKU, Quantity: e.Quantity, Campaign: a.Campaign})
}
