package policies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/money"
)

// Gift cards and store credit (SPEC §8): a campaign with gift_card: is a
// program whose generated codes each carry a balance. A presented card
// pays after every discount and reward, up to its balance, of what is
// left of the lines its filter allows (and of shipping when it has none),
// cards in the order presented.

// Sentinel errors of gift cards.
var (
	// ErrNotGiftCard: the code or campaign is not a gift card's.
	ErrNotGiftCard = errors.New("not a gift card")
	// ErrBalanceBelowZero: a balance change would take a card below zero.
	ErrBalanceBelowZero = errors.New("the card's balance cannot go below zero")
	// ErrBadAmount: an amount that is negative, zero where it must not
	// be, or past MaxAmount.
	ErrBadAmount = errors.New("invalid amount")
)

// GiftCardEmpty is the reason of a card with nothing left.
const GiftCardEmpty Reason = "gift_card_empty"

// GiftCardProgram is a campaign's gift_card: block.
type GiftCardProgram struct {
	Amount     int64 // each generated code's first balance
	ExpireDays int64 // a card expires this many days after it is made; 0: never
}

// Expiry is when a card made at t expires; zero: never.
func (g *GiftCardProgram) Expiry(t time.Time) time.Time {
	if g.ExpireDays == 0 {
		return time.Time{}
	}
	return t.UTC().Add(time.Duration(g.ExpireDays) * 24 * time.Hour)
}

// readGiftCard reads gift_card: and the program's filter; a gift card
// program has generated codes and no effects.
func readGiftCard(o *field.Obj, c *Campaign) {
	g := o.Object("gift_card")
	if g == nil {
		if o.Has("filter") {
			o.Object("filter")
			o.Fail("filter", "only a gift card program has a campaign filter (an effect has its own)")
		}
		return
	}
	c.GiftCard = &GiftCardProgram{
		Amount:     boundedInt(g, "amount", 0, 0, MaxAmount),
		ExpireDays: g.Int("expire_days", 0, 0),
	}
	if c.GiftCard.ExpireDays > maxDays {
		g.Fail("expire_days", "must be at most %d", maxDays)
	}
	g.Strict()
	c.CardFilter = readFilter(o.Object("filter"))
	if c.Code != "" {
		o.Fail("code", "a gift card program has generated codes (unique_codes), not a public code")
	}
	if o.Has("effects") {
		o.Fail("effects", "a gift card program has no effects: its cards pay with their balance")
	}
	c.UniqueCodes = true
}

// CardTerms are what a new card starts with: its balance, currency ("":
// the cart's, whatever it is) and days to expiry (0: never).
type CardTerms struct {
	Amount     int64
	Currency   string
	ExpireDays int64
}

// Expiry is when a card made at t expires; zero: never.
func (t *CardTerms) Expiry(at time.Time) time.Time {
	g := GiftCardProgram{ExpireDays: t.ExpireDays}
	return g.Expiry(at)
}

// Terms are the terms of a card of program c made with amount (nil: the
// program's) and currency ("": the campaign's). A campaign that is not a
// gift card program, an amount below one, or a currency other than the
// campaign's are ErrBadAmount or ErrNotGiftCard errors.
func (c *Campaign) Terms(amount *int64, currency string) (*CardTerms, error) {
	if c.GiftCard == nil {
		if amount != nil {
			return nil, fmt.Errorf("%w: campaign %s is not a gift card program, so its codes take no amount", ErrNotGiftCard, c.ID)
		}
		if currency != "" {
			return nil, fmt.Errorf("%w: campaign %s is not a gift card program, so its codes take no currency", ErrNotGiftCard, c.ID)
		}
		return nil, nil
	}
	t := &CardTerms{Amount: c.GiftCard.Amount, Currency: c.Currency, ExpireDays: c.GiftCard.ExpireDays}
	if amount != nil {
		t.Amount = *amount
	}
	switch {
	case t.Amount < 1 || t.Amount > MaxAmount:
		return nil, fmt.Errorf("%w: a card's amount must be from 1 to %d minor units, got %d", ErrBadAmount, int64(MaxAmount), t.Amount)
	case currency != "" && !currencyRE.MatchString(currency):
		return nil, fmt.Errorf("%w: currency must be an ISO 4217 code such as \"USD\", got %q", ErrBadAmount, currency)
	case currency != "" && c.Currency != "" && currency != c.Currency:
		return nil, fmt.Errorf("%w: campaign %s issues cards in %s, not %s", ErrBadAmount, c.ID, c.Currency, currency)
	case currency != "":
		t.Currency = currency
	}
	return t, nil
}

// GiftCard is a card as the store holds it.
type GiftCard struct {
	Code     string    `json:"code"`
	Campaign string    `json:"campaign"`
	Currency string    `json:"currency,omitempty"` // "": any cart's
	Balance  int64     `json:"balance"`
	Expiry   time.Time `json:"expires_at,omitzero"`
}

// GiftCardStore reads cards for pricing; the bbolt store implements it.
type GiftCardStore interface {
	// GiftCard reads a card; ErrUnknownCode when code is not a card.
	GiftCard(ctx context.Context, code string) (*GiftCard, error)
	// GiftCardView reads a card and its ledger, oldest first.
	GiftCardView(ctx context.Context, code string) (*GiftCard, []GiftCardTx, error)
	// ChangeBalance applies an operator's change once per idempotency
	// key; ErrBalanceBelowZero writes nothing.
	ChangeBalance(ctx context.Context, ch *BalanceChange) (*GiftCardTx, error)
}

// CardView is a gift card as GET /v1/codes/{code} adds it to the code.
type CardView struct {
	Balance   int64      `json:"balance"`
	Currency  string     `json:"currency,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Transactions is the card's ledger: in a fleet, every node's that
	// answered, in time order, without the moves between nodes, each
	// with the whole card's balance after it.
	Transactions []GiftCardTx `json:"transactions"`
	// Partial: a fleet's node that may hold part of the balance did not
	// answer in time.
	Partial bool `json:"partial,omitempty"`
}

// GiftCardView reads code's card, nil when the code is not a gift card.
func (e *Engine) GiftCardView(ctx context.Context, code string) (*CardView, error) {
	if e.giftCards == nil {
		return nil, nil
	}
	c, txs, err := e.giftCards.GiftCardView(ctx, code)
	if errors.Is(err, ErrUnknownCode) {
		if e.pool == nil {
			return nil, nil
		}
		// None of it here: on a fleet another node may hold it all.
		c, txs, err = &GiftCard{Code: code}, []GiftCardTx{}, nil
	}
	if err != nil {
		return nil, err
	}
	v := &CardView{Balance: c.Balance, Currency: c.Currency, Transactions: txs}
	if e.pool != nil { // a fleet: the other nodes' shares of the balance and their ledgers, as of now
		others, err := e.pool.CardLedger(ctx, code, e.now())
		switch {
		case errors.Is(err, ErrWalletPartial):
			v.Partial = true
		case err != nil:
			return nil, err
		}
		v.Balance += others.Balance.Balance
		if len(txs) == 0 && len(others.Ledger) == 0 && v.Balance == 0 && !v.Partial {
			return nil, nil // not a card anywhere that answered
		}
		v.Transactions = fleetLedger(txs, others.Ledger)
		if t := others.Card; c.Campaign == "" && t != nil { // the card never reached this node: its terms as another has them
			c = t
			v.Currency = t.Currency
		}
	}
	if !c.Expiry.IsZero() {
		v.ExpiresAt = &c.Expiry
	}
	return v, nil
}

// fleetLedger is a card's ledger across a fleet: every node's entries in
// the order they happened, without the moves of the balance between
// nodes (each is a debit on one node and the same credit on another),
// each with the card's whole balance after it.
func fleetLedger(parts ...[]GiftCardTx) []GiftCardTx {
	out := []GiftCardTx{}
	for _, p := range parts {
		for _, t := range p {
			if t.Kind != CardMove {
				out = append(out, t)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b GiftCardTx) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var balance int64
	for i := range out {
		balance += out[i].Amount
		out[i].Balance = balance
	}
	return out
}

// ChangeBalance tops up (amount > 0) or takes from (amount < 0) a card,
// once per key (on a fleet, once on any connected node: registry.go). A removal
// the balance here cannot pay is paid, on a fleet, with balance the
// other nodes move here (cluster/doc.go, # Gift cards); it is refused
// (ErrBalanceBelowZero, nothing removed) only when the reachable nodes
// hold too little.
func (e *Engine) ChangeBalance(ctx context.Context, ch *BalanceChange) (*GiftCardTx, error) {
	if e.giftCards == nil {
		return nil, ErrNoStore
	}
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	ch.At = e.now()
	var t *GiftCardTx
	err := e.once(ctx, CardKeyScope(ch.Code), ch.IdempotencyKey, func() (err error) {
		t, err = e.changeBalance(ctx, ch)
		return err
	})
	return t, err
}

// changeBalance is ChangeBalance's change, its key claimed in a fleet.
func (e *Engine) changeBalance(ctx context.Context, ch *BalanceChange) (*GiftCardTx, error) {
	var t *GiftCardTx
	err := e.supplied(ctx, func() (err error) {
		t, err = e.giftCards.ChangeBalance(ctx, ch)
		return err
	}, func(err error) (*Redemption, map[string]Reason) {
		switch {
		case ch.Amount > 0:
			return nil, nil
		case errors.Is(err, ErrBalanceBelowZero): // too little here
		case errors.Is(err, ErrUnknownCode) && e.isCard(ctx, ch.Code): // none of the card ever came here
		default:
			return nil, nil
		}
		return &Redemption{CreatedAt: ch.At, GiftCards: []RedeemedGiftCard{{Code: ch.Code, Amount: -ch.Amount}}},
			map[string]Reason{GiftCardKey(ch.Code): GiftCardEmpty}
	})
	if errors.Is(err, ErrUnknownCode) && ch.Amount > 0 && e.pool != nil && e.isCard(ctx, ch.Code) {
		// A top-up of a card of the fleet that never reached this node:
		// made here with its terms as another node has them.
		if others, rerr := e.pool.CardLedger(ctx, ch.Code, ch.At); others.Card != nil && (rerr == nil || errors.Is(rerr, ErrWalletPartial)) {
			ch.Card = others.Card
			t, err = e.giftCards.ChangeBalance(ctx, ch)
		}
	}
	if errors.Is(err, ErrUnknownCode) && ch.Amount < 0 && e.supplier != nil && e.isCard(ctx, ch.Code) {
		// A card of the fleet none of whose balance reached this node.
		return nil, fmt.Errorf("%w: %s holds nothing the reachable nodes could move here, removing %d", ErrBalanceBelowZero, ch.Code, -ch.Amount)
	}
	return t, err
}

// isCard reports whether code is a generated code of a gift card program
// of the active revision (a fleet replicates every node's codes).
func (e *Engine) isCard(ctx context.Context, code string) bool {
	if e.codes == nil || e.Revision() == nil {
		return false
	}
	campaign, _, found, err := e.codes.LookupCode(ctx, code)
	if err != nil || !found {
		return false
	}
	c, err := e.Revision().Campaign(campaign)
	return err == nil && c.GiftCard != nil
}

// GiftCardPayment is what one presented card pays (Decision.GiftCards).
type GiftCardPayment struct {
	Code          string `json:"code"`
	Campaign      string `json:"campaign"`
	Amount        int64  `json:"amount"`
	BalanceBefore int64  `json:"balance_before"`
	BalanceAfter  int64  `json:"balance_after"`
}

// RedeemedGiftCard is what a redemption debits of one card.
type RedeemedGiftCard struct {
	Code     string `json:"code"`
	Campaign string `json:"campaign"`
	Amount   int64  `json:"amount"`
	// Before is the balance it was priced on; the commit debits what the
	// card holds then, up to Amount, and answers that.
	Before int64 `json:"before"`
}

// GiftCardKey is a card's key in the exhausted map of a commit.
func GiftCardKey(code string) string { return "gift_card:" + code }

// cardRef is a presented gift card, in the order presented.
type cardRef struct {
	c    *Campaign
	code string    // as the store keys it
	as   string    // as presented
	read *GiftCard // the card as the code's lookup read it; nil: read it
}

// CardLookup is a Codes that reads a generated code's card with the code,
// in one read: pricing a presented gift card then reads the store once.
type CardLookup interface {
	// LookupCard is LookupCode plus the code's card (nil when the code
	// is no card here).
	LookupCard(ctx context.Context, code string) (campaign string, reason Reason, found bool, card *GiftCard, err error)
}

// GiftCardTx is one entry of a card's ledger.
type GiftCardTx struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`    // issue, redeem, rollback, adjust, move
	Amount  int64     `json:"amount"`  // signed
	Balance int64     `json:"balance"` // after it
	Source  string    `json:"source"`
}

// Card transaction kinds.
const (
	CardIssue    = "issue"
	CardRedeem   = "redeem"
	CardRollback = "rollback"
	CardAdjust   = "adjust"
	CardMove     = "move"
)

// BalanceChange is an operator's top-up (+) or removal (−) of a card's
// balance (POST /v1/codes/{code}/balance).
type BalanceChange struct {
	Code           string    `json:"-"`
	Amount         int64     `json:"amount"`
	IdempotencyKey string    `json:"idempotency_key"`
	At             time.Time `json:"-"`
	// Card is the card's terms as another node of a fleet has them, for
	// a top-up on a node none of the card ever reached: the store makes
	// the card here with them.
	Card *GiftCard `json:"-"`
}

// Validate refuses a change that cannot be applied to any card.
func (b *BalanceChange) Validate() error {
	switch {
	case b.Amount == 0:
		return fmt.Errorf("%w: amount must not be zero", ErrBadAmount)
	case b.Amount > MaxAmount || b.Amount < -MaxAmount:
		return fmt.Errorf("%w: amount must be within ±%d", ErrBadAmount, int64(MaxAmount))
	case b.IdempotencyKey == "":
		return fmt.Errorf("%w: idempotency_key is required", ErrBadAmount)
	}
	return nil
}

// presentCard adds a presented card; the same card twice is code_invalid
// the second time (a card pays once per request).
func (ev *evaluation) presentCard(ref cardRef) {
	for _, c := range ev.cards {
		if c.code == ref.code {
			ev.addRejection(Rejection{Code: ref.as, Reason: CodeInvalid, Details: []string{"the card was presented twice"}}, -1)
			return
		}
	}
	ev.cards = append(ev.cards, ref)
}

// applyGiftCards prices the presented cards, in order, on what every
// campaign and reward left.
func applyGiftCards(ctx context.Context, ev *evaluation) error {
	if len(ev.cards) == 0 {
		return nil
	}
	verdicts, err := ev.cardRules(ctx)
	if err != nil {
		return err
	}
	st := ev.cart
	left := append([]int64(nil), st.left...)
	ship := st.ship
	for i, ref := range ev.cards {
		card, why, details, err := ev.cardGate(ctx, ref, verdicts[i])
		if err != nil {
			return err
		}
		if why != "" {
			ev.addRejection(Rejection{Campaign: ref.c.ID, Code: ref.as, Reason: why, Details: details}, int32(ev.rev.rank[ref.c]))
			continue
		}
		pay := payCard(st, ref.c, left, &ship, card.Balance)
		ev.dec.GiftCards = append(ev.dec.GiftCards, GiftCardPayment{
			Code: ref.code, Campaign: ref.c.ID, Amount: pay, BalanceBefore: card.Balance, BalanceAfter: card.Balance - pay,
		})
	}
	return nil
}

// cardRules decides the rules of the presented cards' programs, one
// verdict per card (eligible when its program has no rule).
func (ev *evaluation) cardRules(ctx context.Context) ([]Verdict, error) {
	out := make([]Verdict, len(ev.cards))
	var ruled []*Campaign
	var idx []int
	for i, ref := range ev.cards {
		out[i].Eligible = true
		if ref.c.HasRule() {
			ruled, idx = append(ruled, ref.c), append(idx, i)
		}
	}
	if len(ruled) == 0 {
		return out, nil
	}
	vs := make([]Verdict, len(ruled))
	if err := ev.rev.rules.Decide(ctx, ev.req, ruled, vs); err != nil {
		return nil, fmt.Errorf("deciding gift card rules: %w", err)
	}
	for k, i := range idx {
		out[i] = vs[k]
	}
	return out, nil
}

// cardGate reads a card and says why it cannot pay, in the order of the
// reasons (docs/api.md#reason-order), then gift_card_empty.
func (ev *evaluation) cardGate(ctx context.Context, ref cardRef, v Verdict) (*GiftCard, Reason, []string, error) {
	c := ref.c
	if !c.Enabled || ev.switchedOff(c.ID) {
		return nil, Disabled, nil, nil
	}
	if r := c.schedule(ev.req.Context.Now); r != "" {
		return nil, r, nil, nil
	}
	if ev.giftCards == nil {
		return nil, CodeInvalid, nil, nil
	}
	card, err := ref.read, error(nil)
	if card == nil {
		card, err = ev.giftCards.GiftCard(ctx, ref.code)
	}
	switch {
	case errors.Is(err, ErrUnknownCode): // a card made on another node of a fleet, none of it here yet
		card = &GiftCard{Code: ref.code, Campaign: c.ID}
	case err != nil:
		return nil, "", nil, fmt.Errorf("reading gift card: %w", err)
	}
	if ev.pool != nil && ev.forced[GiftCardKey(ref.code)] == "" {
		// On a fleet's node: the card's balance held by the other nodes,
		// as they last told it. A redeem prices it too, and its commit
		// asks the fleet to move it here (SettleCards); when it does not
		// come, the cart is priced again on what this node holds.
		if others := ev.pool.Gossiped(CardPurse(ref.code)).Balance; others > 0 {
			cp := *card
			cp.Balance += others
			card = &cp
		}
	}
	if held := ev.held.card(ref.code); held > 0 { // a reservation being committed: its hold is its own
		cp := *card
		cp.Balance += held
		card = &cp
	}
	if ev.pooled && card.Balance <= 0 && ev.forced[GiftCardKey(ref.code)] == "" {
		// Redeeming in a fleet with none of the card here: price it as
		// paying what is left, and let the commit ask the fleet to move
		// the balance here (SettleCards); if none comes, the cart is
		// priced again on what this node holds.
		card = &GiftCard{Code: ref.code, Campaign: c.ID, Currency: card.Currency, Expiry: card.Expiry, Balance: MaxAmount}
	}
	if !card.Expiry.IsZero() && !ev.req.Context.Now.Before(card.Expiry) {
		return nil, Expired, []string{"the card expired at " + card.Expiry.Format(time.RFC3339)}, nil
	}
	cur := card.Currency
	if cur == "" {
		cur = c.Currency
	}
	if cur != "" && cur != ev.req.Cart.Currency {
		return nil, CurrencyMismatch, []string{fmt.Sprintf("card is in %s, cart in %s", cur, ev.req.Cart.Currency)}, nil
	}
	switch {
	case v.Err != nil:
		return nil, RuleError, []string{v.Err.Error()}, nil
	case !v.Eligible:
		return nil, RuleFailed, v.Reasons, nil
	case card.Balance <= 0:
		return nil, GiftCardEmpty, nil, nil
	}
	return card, "", nil, nil
}

// payCard takes up to balance off what is left of the lines the program's
// filter matches (and of shipping without a filter), pro rata, and
// returns what it took.
func payCard(st *cartState, c *Campaign, left []int64, ship *int64, balance int64) int64 {
	var idx []int
	var w []int64
	for i := range st.items {
		if left[i] > 0 && c.CardFilter.Match(&st.items[i]) {
			idx, w = append(idx, i), append(w, left[i])
		}
	}
	withShip := c.CardFilter.IsZero() && *ship > 0
	if withShip {
		w = append(w, *ship)
	}
	pay := min(balance, sum(w))
	if pay <= 0 {
		return 0
	}
	shares := money.Allocate(pay, w)
	for k, i := range idx {
		left[i] -= shares[k]
	}
	if withShip {
		*ship -= shares[len(shares)-1]
	}
	return pay
}

// CardPurse is the key a gift card's balance is kept and told under,
// beside the customers' wallets: a customer id has no control character
// (CheckCustomer), so no wallet can have it.
func CardPurse(code string) string { return "\x01" + code }

// IsCardPurse reports whether purse is a gift card's, and its code.
func IsCardPurse(purse string) (string, bool) {
	if len(purse) > 1 && purse[0] == 1 {
		return purse[1:], true
	}
	return "", false
}

// settleCards brings d's gift card payments to what the commit debited
// (stored), which may be less than priced when another redemption spent
// the card first.
func (d *Decision) settleCards(stored []RedeemedGiftCard) {
	var paid int64
	for i := range d.GiftCards {
		g := &d.GiftCards[i]
		for _, s := range stored {
			if s.Code == g.Code {
				g.Amount, g.BalanceBefore = s.Amount, s.Before
				g.BalanceAfter = g.BalanceBefore - g.Amount
			}
		}
		paid += g.Amount
	}
	d.AmountDue = max(0, d.Total-paid)
}

// redeemedCards lists what d's cards pay, for the redemption.
func redeemedCards(d *Decision) []RedeemedGiftCard {
	var out []RedeemedGiftCard
	for _, g := range d.GiftCards {
		out = append(out, RedeemedGiftCard{Code: g.Code, Campaign: g.Campaign, Amount: g.Amount, Before: g.BalanceBefore})
	}
	return out
}

// SettleResponse rewrites the end of r.Response, its gift_cards and
// amount_due, after the commit changed what a card pays. They are the
// answer's last two fields (Decision.AppendJSON), and the key cannot
// occur unescaped inside a string before them.
func (r *Redemption) SettleResponse() {
	i := bytes.LastIndex(r.Response, []byte(`,"gift_cards":`))
	if i < 0 {
		return
	}
	d := Decision{Total: r.Total, GiftCards: make([]GiftCardPayment, len(r.GiftCards))}
	for k, g := range r.GiftCards {
		d.GiftCards[k] = GiftCardPayment{Code: g.Code, Campaign: g.Campaign, Amount: g.Amount, BalanceBefore: g.Before, BalanceAfter: g.Before - g.Amount}
	}
	d.settleCards(nil)
	b := append([]byte(nil), r.Response[:i]...)
	b = appendList(b, `,"gift_cards":`, d.GiftCards, (*GiftCardPayment).appendJSON)
	b = appendInt(b, `,"amount_due":`, d.AmountDue)
	r.Response = append(b, '}')
}
