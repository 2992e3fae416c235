package policies

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A reservation (SPEC §10) is a redemption committed in the held state:
// the same pricing, the same commit (every limit, code use, reward point
// and stock it needs is taken in the committer's transaction), with an
// expiry. Committing it turns the hold into a redemption in one
// transaction (what is held is given back and the new pricing taken);
// releasing or expiring it is a rollback. So whatever a redemption
// consumes, a reservation holds, with no code per counter.

// Statuses of a reservation's record.
const (
	Held        RedemptionStatus = "held"
	Committed   RedemptionStatus = "committed"
	Released    RedemptionStatus = "released"
	HoldExpired RedemptionStatus = "expired"
)

// TTL bounds of a reservation (SPEC §10).
const (
	DefaultReservationTTL = 900 * time.Second
	MaxReservationTTL     = 604800 * time.Second
)

// Sentinel errors of reservations.
var (
	// ErrUnknownReservation: no reservation has that id (here).
	ErrUnknownReservation = errors.New("unknown reservation")
	// ErrReservationExpired: it passed its expires_at.
	ErrReservationExpired = errors.New("reservation expired")
	// ErrReservationReleased: it was released.
	ErrReservationReleased = errors.New("reservation released")
	// ErrReservationMismatch: the commit is not the reservation's customer
	// or currency.
	ErrReservationMismatch = errors.New("reservation belongs to another customer or currency")
	// ErrNoReservations: the committer cannot hold reservations.
	ErrNoReservations = errors.New("reservations need a store that holds them")
)

// Holder is what a committer adds to hold reservations (the bbolt store).
type Holder interface {
	// CommitHeld gives back what reservation held (as Reservation read
	// it) holds and commits r, in one transaction: r takes what it needs
	// as Commit would. If r's limits ran out, nothing changes (the hold
	// stands) and exhausted names them. A reservation already committed
	// returns its redemption (replayed); a released or expired one, its
	// error.
	CommitHeld(ctx context.Context, held, r *Redemption) (stored *Redemption, replayed bool, exhausted map[string]Reason, err error)
	// Release gives back what reservation id holds, once, marking it
	// status (Released or HoldExpired); later calls change nothing. It returns
	// the record as it stands.
	Release(ctx context.Context, id string, at time.Time, status RedemptionStatus) (*Redemption, error)
	// Reservation returns the record of reservation id.
	Reservation(ctx context.Context, id string) (*Redemption, error)
}

// ElsewhereError says a reservation was made on another node of a fleet,
// which alone can act on it.
type ElsewhereError struct{ Node string }

func (e *ElsewhereError) Error() string {
	return fmt.Sprintf("reservation was made on node %q", e.Node)
}

// Unwrap lets errors.Is match ErrUnknownReservation.
func (e *ElsewhereError) Unwrap() error { return ErrUnknownReservation }

// ReservationNode is the node that made reservation id ("" for one made
// without a node name, and for what is not a reservation id).
func ReservationNode(id string) string {
	rest, ok := strings.CutPrefix(id, "rs_")
	if !ok {
		return ""
	}
	_, tag, ok := strings.Cut(rest, ".")
	if !ok {
		return ""
	}
	node, err := hex.DecodeString(tag)
	if err != nil {
		return ""
	}
	return string(node)
}

// newReservationID is rs_, time and random hex, and the making node's
// name hex-encoded after a dot, so that any node knows where it lives.
func newReservationID(now time.Time, node string) string {
	var b [6]byte
	_, _ = crand.Read(b[:])
	id := fmt.Sprintf("rs_%016x%s", now.UnixNano(), hex.EncodeToString(b[:]))
	if node != "" {
		id += "." + hex.EncodeToString([]byte(node))
	}
	return id
}

// Reserve prices rr as Redeem does and commits it held until now+ttl.
func (e *Engine) Reserve(ctx context.Context, rr *RedeemRequest, ttl time.Duration) (*Receipt, error) {
	if ttl <= 0 || ttl > MaxReservationTTL {
		return nil, &RequestError{Problems: []*FieldError{{Field: "ttl_seconds", Message: fmt.Sprintf("must be 1 to %d", int64(MaxReservationTTL/time.Second))}}}
	}
	if _, ok := e.committer.(Holder); !ok {
		return nil, ErrNoReservations
	}
	return e.redeem(ctx, rr, &redeemMode{ttl: ttl})
}

// CommitReservation commits reservation id with rr: the cart is priced
// again with what the reservation holds counted as free, and in one
// transaction the hold is given back and the new pricing taken.
func (e *Engine) CommitReservation(ctx context.Context, id string, rr *RedeemRequest) (*Receipt, error) {
	h, ok := e.committer.(Holder)
	if !ok {
		return nil, ErrNoReservations
	}
	held, err := e.reservation(ctx, h, id)
	if err != nil {
		return nil, err
	}
	switch {
	case held.CustomerID != rr.Customer.ID || held.Currency != rr.Cart.Currency:
		return nil, fmt.Errorf("%w: %s", ErrReservationMismatch, id)
	case held.Status == HoldExpired || held.Status == Held && !e.now().Before(*held.ExpiresAt):
		return nil, fmt.Errorf("%w: %s", ErrReservationExpired, id)
	case held.Status == Released:
		return nil, fmt.Errorf("%w: %s", ErrReservationReleased, id)
	}
	return e.redeem(ctx, rr, &redeemMode{held: held, holder: h})
}

// ReleaseReservation gives back what reservation id holds; releasing it
// again changes nothing. A committed one stays committed.
func (e *Engine) ReleaseReservation(ctx context.Context, id string) (*Redemption, error) {
	h, ok := e.committer.(Holder)
	if !ok {
		return nil, ErrNoReservations
	}
	if _, err := e.reservation(ctx, h, id); err != nil {
		return nil, err
	}
	return h.Release(ctx, id, e.now(), Released)
}

// Reservation returns reservation id's record; one past its expiry that
// the store has not released yet reads expired.
func (e *Engine) Reservation(ctx context.Context, id string) (*Redemption, error) {
	h, ok := e.committer.(Holder)
	if !ok {
		return nil, ErrNoReservations
	}
	r, err := e.reservation(ctx, h, id)
	if err == nil && r.Status == Held && !e.now().Before(*r.ExpiresAt) {
		r.Status = HoldExpired
	}
	return r, err
}

// reservation reads id here, or says which node holds it.
func (e *Engine) reservation(ctx context.Context, h Holder, id string) (*Redemption, error) {
	if node := ReservationNode(id); node != "" && node != e.node { // "": made alone, here
		return nil, &ElsewhereError{Node: node}
	}
	return h.Reservation(ctx, id)
}

// redeemMode is how redeem prices and commits: plainly (nil), as a
// reservation (ttl), or committing one (held).
type redeemMode struct {
	ttl    time.Duration
	held   *Redemption
	holder Holder
}

// shape makes r the record its mode commits.
func (m *redeemMode) shape(r *Redemption, dec *Decision, now time.Time, node string) {
	if m == nil || m.ttl == 0 {
		return
	}
	exp := now.Add(m.ttl).UTC()
	r.ID, r.Status, r.ExpiresAt = newReservationID(now, node), Held, &exp
	r.Response = reservationJSON(r.ID, exp, dec)
}

// commitAs commits r as the mode says.
func (e *Engine) commitAs(ctx context.Context, m *redeemMode, r *Redemption) (*Redemption, bool, map[string]Reason, error) {
	if m != nil && m.held != nil {
		return m.holder.CommitHeld(ctx, m.held, r)
	}
	return e.committer.Commit(ctx, r)
}

// reservationJSON is the answer to a reservation: its id and expiry, then
// the decision's fields.
func reservationJSON(id string, exp time.Time, dec *Decision) []byte {
	b := append([]byte(`{"reservation_id":"`), id...) // rs_, hex and a dot
	b = append(b, `","expires_at":"`...)
	b = exp.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `",`...)
	return append(b, dec.AppendJSON(nil)[1:]...)
}

// heldBy is what a reservation being committed holds, which its own
// pricing counts as free: its campaigns' uses, codes, reward points and
// gift card balances.
type heldBy struct{ r *Redemption }

// used is u without the hold's use of campaign, and of its period's
// counts when the hold counted in period (a Period's Key; "" for none).
func (h heldBy) used(campaign, period string, u Used) Used {
	if h.r == nil {
		return u
	}
	for _, c := range h.r.Campaigns {
		if c.Campaign != campaign {
			continue
		}
		u.Redemptions = max(0, u.Redemptions-1)
		u.Customer = max(0, u.Customer-1)
		u.Spent = max(0, u.Spent-c.Amount)
		if period != "" && c.Period == period {
			u.PeriodRedemptions = max(0, u.PeriodRedemptions-1)
			u.PeriodCustomer = max(0, u.PeriodCustomer-1)
			u.PeriodSpent = max(0, u.PeriodSpent-c.Amount)
		}
	}
	return u
}

// code reports whether the hold took a use of code.
func (h heldBy) code(campaign, code string) bool {
	if h.r == nil {
		return false
	}
	for _, c := range h.r.Campaigns {
		if c.Campaign == campaign && c.UniqueCode && c.Code == code {
			return true
		}
	}
	return false
}

// points is what the hold spends on rewards.
func (h heldBy) points() int64 {
	var n int64
	if h.r != nil {
		for _, rw := range h.r.Rewards {
			n += rw.Points
		}
	}
	return n
}

// card is what the hold pays from a gift card.
func (h heldBy) card(code string) int64 {
	var n int64
	if h.r != nil {
		for _, g := range h.r.GiftCards {
			if g.Code == code {
				n += g.Amount
			}
		}
	}
	return n
}

// units is how many units of reward the hold claims.
func (h heldBy) units(reward string) int64 {
	var n int64
	if h.r != nil {
		for _, rw := range h.r.Rewards {
			if rw.Reward == reward {
				n++
			}
		}
	}
	return n
}

// TTLSeconds parses ttl_seconds of a reservation body; absent is the
// default.
func TTLSeconds(doc map[string]any) (time.Duration, error) {
	v, ok := doc["ttl_seconds"]
	if !ok {
		return DefaultReservationTTL, nil
	}
	bad := &RequestError{Problems: []*FieldError{{Field: "ttl_seconds", Message: fmt.Sprintf("must be an integer from 1 to %d", int64(MaxReservationTTL/time.Second))}}}
	var n int64
	switch x := v.(type) {
	case float64:
		if x != float64(int64(x)) {
			return 0, bad
		}
		n = int64(x)
	case interface{ String() string }:
		var err error
		if n, err = strconv.ParseInt(x.String(), 10, 64); err != nil {
			return 0, bad
		}
	default:
		return 0, bad
	}
	if n < 1 || n > int64(MaxReservationTTL/time.Second) {
		return 0, bad
	}
	return time.Duration(n) * time.Second, nil
}
