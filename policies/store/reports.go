package store

import (
	"encoding/json"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/money"
)

// The notices the store's own changes report (SPEC §13), each written in
// the transaction of its change. A notice's id is derived from what it
// reports, so that writing the same change twice (a replay, a retried
// rollback) cannot report it twice; the changes themselves are written
// once (an idempotent replay returns before apply, a second rollback
// finds the redemption rolled back).

// refCreated starts an outbox entry that is a reference rather than a
// notice: "redemption.created of the redemption whose id follows". The
// redemption's record is in the same file, so the commit writes a few
// bytes instead of the redemption twice, and the notice is built when it
// is read for delivery, as the redemption was created (a rollback since
// does not change what its created notice says).
const refCreated = 'c'

func createdRef(id string) []byte { return append([]byte{refCreated}, id...) }

// readNotice decodes an outbox entry.
func readNotice(tx *bolt.Tx, raw []byte) (policies.Notice, error) {
	var n policies.Notice
	if len(raw) == 0 {
		return n, errors.New("empty entry")
	}
	if raw[0] != refCreated {
		err := json.Unmarshal(raw, &n)
		return n, err
	}
	r, err := getRedemption(tx, string(raw[1:]))
	if err != nil {
		return n, err
	}
	r.Status, r.RolledBackAt = policies.Redeemed, nil
	return redemptionNotice(policies.NoticeRedemptionCreated, r, r.CreatedAt)
}

// redemptionData is a redemption as its notices report it.
type redemptionData struct {
	ID           string                      `json:"redemption_id"`
	OrderID      string                      `json:"order_id,omitempty"`
	CustomerID   string                      `json:"customer_id,omitempty"`
	Status       policies.RedemptionStatus   `json:"status"`
	CreatedAt    time.Time                   `json:"created_at"`
	RolledBackAt *time.Time                  `json:"rolled_back_at,omitempty"`
	Currency     string                      `json:"currency"`
	Discount     int64                       `json:"discount"`
	Total        int64                       `json:"total"`
	Campaigns    []policies.RedeemedCampaign `json:"campaigns"`
	Rewards      []policies.RedeemedReward   `json:"rewards,omitempty"`
}

// redemptionNotice reports r as typ.
func redemptionNotice(typ policies.NoticeType, r *policies.Redemption, at time.Time) (policies.Notice, error) {
	data, err := json.Marshal(redemptionData{ID: r.ID, OrderID: r.OrderID, CustomerID: r.CustomerID, Status: r.Status,
		CreatedAt: r.CreatedAt, RolledBackAt: r.RolledBackAt, Currency: r.Currency, Discount: r.Discount, Total: r.Total,
		Campaigns: r.Campaigns, Rewards: r.Rewards})
	return policies.Notice{ID: string(typ) + ":" + r.ID, Type: typ, At: at.UTC(), Data: data}, err
}

// exhaustedData is which limit a redemption used the last of.
type exhaustedData struct {
	Campaign   string `json:"campaign"`
	Limit      string `json:"limit"` // "redemptions" or "budget"
	Max        int64  `json:"max"`
	Used       int64  `json:"used"` // on this node (see docs/webhooks.md for a fleet)
	Redemption string `json:"redemption_id"`
}

// exhaustedNotices reports the limits that r's campaign c used the last
// of, from the usage u the commit read before adding r: the count reaches
// limits.redemptions, or the spent sum reaches limits.budget. A fleet's
// store sees its own node's usage only (its rights are the cluster's),
// so there a limit is reported when this node's usage reaches it.
func exhaustedNotices(out []policies.Notice, r *policies.Redemption, c *policies.RedeemedCampaign, u policies.Used) ([]policies.Notice, error) {
	l := c.Limits
	add := func(limit string, maxv, used int64) error {
		data, err := json.Marshal(exhaustedData{Campaign: c.Campaign, Limit: limit, Max: maxv, Used: used, Redemption: r.ID})
		out = append(out, policies.Notice{ID: string(policies.NoticeLimitExhausted) + ":" + c.Campaign + ":" + limit + ":" + r.ID,
			Type: policies.NoticeLimitExhausted, At: r.CreatedAt.UTC(), Data: data})
		return err
	}
	if l.Redemptions > 0 && u.Redemptions < l.Redemptions && u.Redemptions+1 >= l.Redemptions {
		if err := add("redemptions", l.Redemptions, u.Redemptions+1); err != nil {
			return nil, err
		}
	}
	spent := money.Saturating(max(0, u.Spent), c.Amount)
	if l.Budget > 0 && c.Amount > 0 && u.Spent < l.Budget && spent >= l.Budget {
		if err := add("budget", l.Budget, spent); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tierData is a customer's move between tiers.
type tierData struct {
	CustomerID string `json:"customer_id"`
	From       string `json:"from"`
	To         string `json:"to"`
	Earned     int64  `json:"earned"` // points earned in the program's window, after the change
	Cause      string `json:"cause"`  // the redemption or adjustment that moved it
}

// tierWatch reads a customer's tier before a wallet change, to compare
// with after it; nil when nothing could change (no program with tiers, no
// customer).
type tierWatch struct {
	p        *policies.Program
	customer string
	at       int64
	before   string
}

// reportTier runs change, a change of customer's wallet in tx, and, with
// webhook endpoints configured, queues a wallet.tier_changed notice of
// cause when it moved the customer's tier.
func (s *Store) reportTier(tx *bolt.Tx, p *policies.Program, customer string, at time.Time, cause string, change func() error) error {
	var tier *tierWatch
	if s.hooked.Load() {
		tier = watchTier(tx, p, customer, at)
	}
	if err := change(); err != nil {
		return err
	}
	notices, err := tier.changed(tx, nil, cause)
	if err != nil {
		return err
	}
	return s.emit(tx, notices)
}

func watchTier(tx *bolt.Tx, p *policies.Program, customer string, at time.Time) *tierWatch {
	if p == nil || len(p.Tiers) < 2 || customer == "" {
		return nil
	}
	w := &tierWatch{p: p, customer: customer, at: nanos(at)}
	t, _ := p.TierOf(earnedIn(tx, wprefix(customer), w.at, p.Window()))
	w.before = t.Name
	return w
}

// changed appends a wallet.tier_changed notice when the tier moved.
func (w *tierWatch) changed(tx *bolt.Tx, out []policies.Notice, cause string) ([]policies.Notice, error) {
	if w == nil {
		return out, nil
	}
	earned := earnedIn(tx, wprefix(w.customer), w.at, w.p.Window())
	t, _ := w.p.TierOf(earned)
	if t.Name == w.before {
		return out, nil
	}
	data, err := json.Marshal(tierData{CustomerID: w.customer, From: w.before, To: t.Name, Earned: earned, Cause: cause})
	n := policies.Notice{ID: string(policies.NoticeTierChanged) + ":" + w.customer + ":" + cause, Type: policies.NoticeTierChanged,
		At: time.Unix(0, w.at).UTC(), Data: data}
	return append(out, n), err
}
