package decisionlog

import (
	"encoding/json"
	"log/slog"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Kinds of decision line.
const (
	KindEvaluate = "evaluate"
	KindRedeem   = "redeem"
	KindRollback = "rollback"
)

// Line is one decision as logged: the JSON fields of a line, beside slog's
// own time, level and msg ("decision"). Tests and tools read lines into it.
type Line struct {
	Time           time.Time `json:"time"`
	Kind           string    `json:"kind"`
	BundleRevision string    `json:"bundle_revision,omitempty"`
	RequestID      string    `json:"request_id,omitempty"`
	CustomerHash   string    `json:"customer_hash,omitempty"`
	CustomerID     string    `json:"customer_id,omitempty"`
	Applied        []Amount  `json:"applied"`
	Rejected       []Reject  `json:"rejected,omitempty"`
	Currency       string    `json:"currency"`
	Subtotal       int64     `json:"subtotal"`
	Discount       int64     `json:"discount"`          // lines; for a rollback, lines and shipping
	ShipDiscount   int64     `json:"shipping_discount"` // not for a rollback
	Total          int64     `json:"total"`
	LatencyMicros  int64     `json:"latency_us"`
	RedemptionID   string    `json:"redemption_id,omitempty"` // redeem, rollback
	OrderID        string    `json:"order_id,omitempty"`      // redeem, rollback
	Replay         bool      `json:"replay,omitempty"`        // redeem: answered from the stored redemption; rollback: already rolled back
}

// Amount is a campaign that applied and what it took off (lines and
// shipping together, minor units).
type Amount struct {
	Campaign string `json:"campaign"`
	Amount   int64  `json:"amount"`
}

// Reject is a campaign that did not apply; Campaign is "" for a code that
// matched none (the code itself is not logged).
type Reject struct {
	Campaign string          `json:"campaign"`
	Reason   policies.Reason `json:"reason"`
}

// Evaluated logs an evaluate decision, if this one is sampled.
func (l *Log) Evaluated(requestID, customer string, dec *policies.Decision, took time.Duration) {
	if l == nil || !l.sampled() {
		return
	}
	attrs := append(l.head(KindEvaluate, requestID, customer), decisionAttrs(dec)...)
	l.write(append(attrs, latency(took)))
}

// Redeemed logs a redemption. A replay carries no decision: its stored
// answer is read back for the line.
func (l *Log) Redeemed(requestID, customer, orderID string, rc *policies.Receipt, took time.Duration) {
	if l == nil {
		return
	}
	dec := rc.Decision
	if dec == nil {
		dec = new(policies.Decision)
		if err := json.Unmarshal(rc.Response, dec); err != nil {
			dec = new(policies.Decision) // an answer we wrote ourselves: log the ids at least
		}
	}
	attrs := append(l.head(KindRedeem, requestID, customer), decisionAttrs(dec)...)
	l.write(append(attrs, latency(took),
		slog.String("redemption_id", rc.Redemption.ID), slog.String("order_id", orderID), slog.Bool("replay", rc.Replayed)))
}

// RolledBack logs a rollback; fresh is false when an earlier call had
// already rolled the redemption back.
func (l *Log) RolledBack(requestID string, r *policies.Redemption, fresh bool, took time.Duration) {
	if l == nil {
		return
	}
	applied := make([]Amount, len(r.Campaigns))
	for i, c := range r.Campaigns {
		applied[i] = Amount{c.Campaign, c.Amount}
	}
	attrs := append(l.head(KindRollback, requestID, r.CustomerID),
		slog.Any("applied", applied), slog.String("currency", r.Currency),
		slog.Int64("discount", r.Discount), slog.Int64("total", r.Total), latency(took),
		slog.String("redemption_id", r.ID), slog.String("order_id", r.OrderID), slog.Bool("replay", !fresh))
	l.write(attrs)
}

// head is the attributes every line starts with.
func (l *Log) head(kind, requestID, customer string) []slog.Attr {
	attrs := make([]slog.Attr, 0, 20)
	attrs = append(attrs, slog.String("kind", kind))
	if requestID != "" {
		attrs = append(attrs, slog.String("request_id", requestID))
	}
	if customer != "" {
		attrs = append(attrs, l.customer(customer))
	}
	return attrs
}

// decisionAttrs are a decision's revision, campaigns and totals.
func decisionAttrs(dec *policies.Decision) []slog.Attr {
	rejected := make([]Reject, len(dec.Rejected))
	for i, r := range dec.Rejected {
		rejected[i] = Reject{r.Campaign, r.Reason}
	}
	return []slog.Attr{
		slog.String("bundle_revision", dec.BundleRevision),
		slog.Any("applied", appliedOf(dec)), slog.Any("rejected", rejected),
		slog.String("currency", dec.Currency), slog.Int64("subtotal", dec.Subtotal),
		slog.Int64("discount", dec.Discount), slog.Int64("shipping_discount", dec.ShippingDiscount),
		slog.Int64("total", dec.Total),
	}
}

// appliedOf is each campaign that applied once, with the sum of its
// effects; a campaign that only gave points or free items has amount 0.
func appliedOf(dec *policies.Decision) []Amount {
	out := make([]Amount, 0, len(dec.Applied))
	at := func(id string) *Amount {
		for i := range out {
			if out[i].Campaign == id {
				return &out[i]
			}
		}
		out = append(out, Amount{Campaign: id})
		return &out[len(out)-1]
	}
	for _, a := range dec.Applied {
		if a.Reward != "" {
			continue // a loyalty reward, not a campaign
		}
		at(a.Campaign).Amount += a.Amount
	}
	for _, p := range dec.Points {
		at(p.Campaign)
	}
	rewards := map[string]bool{}
	for _, a := range dec.Applied {
		if a.Reward != "" {
			rewards[a.Reward] = true
		}
	}
	for _, f := range dec.FreeItems {
		if !rewards[f.Campaign] { // a reward's free item names the reward
			at(f.Campaign)
		}
	}
	return out
}

func latency(d time.Duration) slog.Attr { return slog.Int64("latency_us", d.Microseconds()) }
