package policies

import (
	"context"
	"fmt"
	"sort"
)

// pipeline is the order of evaluation, in one place (docs/api.md#reason-order: a campaign's
// reason is the first check it fails, in this order).
var pipeline = []stage{
	{"wallet", readWallet},         // the customer's loyalty wallet, as input.wallet (rewards.go)
	{"resolve", resolveCandidates}, // automatic campaigns + the ones the codes name; code_invalid
	{"gates", runGates},            // disabled, not_started/expired, code_used, currency, filter
	{"rules", decideRules},         // rule / error
	{"limits", checkLimits},        // limit_exhausted, per_customer_limit
	{"stacking", applyStacking},    // budget_exhausted, excluded; prices the cart
	{"rewards", applyRewards},      // loyalty rewards, after every campaign (rewards.go)
	{"gift cards", applyGiftCards}, // gift cards pay what is left, in the order presented (giftcard.go)
	{"totals", finishTotals},       // points, per-line totals, sums
}

// gates are the cheap per-campaign checks that run before any rule, in
// order. Each returns the reason the campaign cannot apply, or "".
var gates = []func(ev *evaluation, c *candidate) (Reason, []string){
	gateDisabled,
	gateSchedule,
	gateCode,
	gateCurrency,
	gateReferral, // not_signed_in, referral_self, referral_not_new (referral.go)
	gateFilter,
}

type stage struct {
	name string
	run  func(ctx context.Context, ev *evaluation) error
}

// candidate is a campaign under consideration for one request.
type candidate struct {
	c       *Campaign
	code    string // the code it came with, as the campaign spells it
	codeErr Reason // code_used for a generated code used up
	effects []Effect
	spent   int64     // discount the campaign has given so far (Used.Spent)
	pspent  int64     // the same in its current period (per-period budget)
	rank    int32     // the campaign's position in the revision
	unique  bool      // code is a generated one
	out     bool      // rejected or excluded
	variant int16     // 1 + the index of its experiment's variant; 0: none
	card    *GiftCard // a presented gift card as its code's lookup read it
}

type evaluation struct {
	rev    *Revision
	req    *Request
	usage  Usage
	dec    *Decision
	ranks  []int32 // rank of each of dec.Rejected (-1: a code alone)
	cands  []candidate
	s      *scratch // where ranks, cands and the stages' lists live
	cart   *cartState
	codes  Codes
	hints  CodeHints         // nil when redeeming
	forced map[string]Reason // lost limit races at commit
	kill   Switches
	// wallets and wallet: the loyalty wallets, and the customer's as read.
	wallets WalletStore
	pool    WalletPool // a fleet's other shares of a wallet
	wallet  *Balances
	pooled  bool   // redeeming in a fleet: a short wallet may get points moved here
	held    heldBy // a reservation being committed: what it holds is free
	// giftCards reads the cards; cards are the ones presented, in order.
	giftCards GiftCardStore
	cards     []cardRef
	// referrals reads referral codes; ctx is the request's, for gates
	// that read the store.
	referrals ReferralStore
	ctx       context.Context
}

func newEvaluation(rev *Revision, req *Request, usage Usage) *evaluation {
	return &evaluation{
		rev: rev, req: req, usage: usage,
		dec: &Decision{
			Currency: req.Cart.Currency, BundleRevision: rev.ID, revision: rev,
			Applied: []Applied{}, FreeItems: []FreeItem{}, Points: []PointAward{}, Rejected: []Rejection{}, GiftCards: []GiftCardPayment{},
		},
		cart: newCartState(&req.Cart),
		s:    getScratch(),
	}
}

// release hands the evaluation's scratch back (its answer, ev.dec, owns
// nothing of it).
func (ev *evaluation) release() {
	ev.s.cands, ev.s.ranks = ev.cands, ev.ranks
	ev.s.release()
	ev.s, ev.cands, ev.ranks = nil, nil, nil
}

func (ev *evaluation) reject(cd *candidate, r Reason, details []string) {
	cd.out = true
	ev.addRejection(Rejection{Campaign: cd.c.ID, Code: cd.code, Reason: r, Details: details}, cd.rank)
}

// addRejection lists r, and its rank for the final order.
func (ev *evaluation) addRejection(r Rejection, rank int32) {
	ev.dec.Rejected = append(ev.dec.Rejected, r)
	ev.ranks = append(ev.ranks, rank)
}

// live is the candidates still in the running, in application order.
func (ev *evaluation) live() []*candidate {
	n := 0
	for i := range ev.cands {
		if !ev.cands[i].out {
			n++
		}
	}
	out := grow(ev.s.live, n)
	for i := range ev.cands {
		if !ev.cands[i].out {
			out = append(out, &ev.cands[i])
		}
	}
	ev.s.live = out
	return out
}

func resolveCandidates(ctx context.Context, ev *evaluation) error {
	rev := ev.rev
	ev.cands = grow(ev.s.cands, len(rev.auto)+len(ev.req.Codes))[:len(rev.auto)]
	for i, c := range rev.auto {
		ev.cands[i] = candidate{c: c, rank: rev.autoRank[i]}
	}
	// Most candidates of a catalog are rejected: room for all at once.
	ev.dec.Rejected = make([]Rejection, 0, len(ev.cands)+len(ev.req.Codes))
	ev.ranks = grow(ev.s.ranks, cap(ev.dec.Rejected))
	var seen map[*Campaign]bool
	if len(ev.req.Codes) > 0 {
		seen = make(map[*Campaign]bool, len(ev.req.Codes))
	}
	for _, code := range ev.req.Codes {
		norm := normalizeCode(code)
		if c, ok := rev.byCode[norm]; ok {
			if !seen[c] {
				seen[c] = true
				ev.cands = append(ev.cands, candidate{c: c, code: c.Code, rank: int32(rev.rank[c])})
			}
			continue
		}
		cd, err := ev.uniqueCode(ctx, norm)
		if err != nil {
			return err
		}
		if cd != nil && cd.c.GiftCard != nil {
			ev.presentCard(cardRef{c: cd.c, code: norm, as: code, read: cd.card})
			continue
		}
		if cd == nil || seen[cd.c] {
			ev.addRejection(Rejection{Code: code, Reason: CodeInvalid}, -1)
			continue
		}
		seen[cd.c] = true
		cd.rank = int32(rev.rank[cd.c])
		ev.cands = append(ev.cands, *cd)
	}
	if ev.req.Explain {
		for _, c := range rev.campaigns {
			if c.NeedsCode() && !seen[c] {
				ev.addRejection(Rejection{Campaign: c.ID, Reason: codeRequired(ev, c)}, int32(rev.rank[c]))
			}
		}
	}
	if len(seen) > 0 {
		sort.SliceStable(ev.cands, func(i, j int) bool { return ev.cands[i].rank < ev.cands[j].rank })
	}
	return nil
}

// codeRequired is the reason explain gives a campaign whose code was not
// presented: a check that comes before code_* (docs/api.md#reason-order) wins.
func codeRequired(ev *evaluation, c *Campaign) Reason {
	if r := c.Status(ev.req.Context.Now); r != "" {
		return r
	}
	return CodeRequired
}

// uniqueCode finds the campaign of a generated code; nil if none has it.
func (ev *evaluation) uniqueCode(ctx context.Context, code string) (*candidate, error) {
	if ev.codes == nil {
		return nil, nil
	}
	var id string
	var reason Reason
	var found bool
	var err error
	var card *GiftCard
	if cl, ok := ev.codes.(CardLookup); ok && ev.giftCards != nil {
		id, reason, found, card, err = cl.LookupCard(ctx, code)
	} else {
		id, reason, found, err = ev.codes.LookupCode(ctx, code)
	}
	if err != nil {
		return nil, fmt.Errorf("looking up code: %w", err)
	}
	c, ok := ev.rev.byID[id]
	if !found || !ok || !c.UniqueCodes {
		return nil, nil
	}
	if reason == CodeUsed && ev.held.code(id, code) {
		reason = ""
	}
	if reason == "" && ev.hints != nil && ev.hints.UsedElsewhere(ctx, id, code) {
		reason = CodeUsed
	}
	return &candidate{c: c, code: code, unique: true, codeErr: reason, card: card}, nil
}

func runGates(_ context.Context, ev *evaluation) error {
	for i := range ev.cands {
		cd := &ev.cands[i]
		for _, gate := range gates {
			if r, details := gate(ev, cd); r != "" {
				ev.reject(cd, r, details)
				break
			}
		}
	}
	return nil
}

func gateDisabled(ev *evaluation, cd *candidate) (Reason, []string) {
	if !cd.c.Enabled || ev.switchedOff(cd.c.ID) {
		return Disabled, nil
	}
	return "", nil
}

func gateSchedule(ev *evaluation, cd *candidate) (Reason, []string) {
	return cd.c.schedule(ev.req.Context.Now), nil
}

func gateCode(_ *evaluation, cd *candidate) (Reason, []string) {
	if cd.codeErr == CodeUsed && cd.c.Referral != nil {
		return "", nil // a referral code's uses are its referrer's referrals: referral_limit, after gateReferral's checks
	}
	return cd.codeErr, nil
}

func gateCurrency(ev *evaluation, cd *candidate) (Reason, []string) {
	if cd.c.Currency != "" && cd.c.Currency != ev.req.Cart.Currency {
		return CurrencyMismatch, []string{fmt.Sprintf("campaign is in %s, cart in %s", cd.c.Currency, ev.req.Cart.Currency)}
	}
	return "", nil
}

// gateFilter rejects, without running its rule, a campaign whose every
// effect is limited to lines that the cart does not have.
func gateFilter(ev *evaluation, cd *candidate) (Reason, []string) {
	if !cd.c.filtered || cd.c.DynamicEffects {
		return "", nil
	}
	for i := range cd.c.Effects {
		if cd.c.Effects[i].matchesAny(ev.req.Cart.Items) {
			return "", nil
		}
	}
	return RuleFailed, []string{"no item in the cart matches the campaign's filter"}
}

func decideRules(ctx context.Context, ev *evaluation) error {
	ruled, idx := grow(ev.s.ruled, len(ev.cands)), grow(ev.s.idx, len(ev.cands))
	for i := range ev.cands {
		cd := &ev.cands[i]
		if cd.out {
			continue
		}
		if !cd.c.HasRule() {
			cd.effects = cd.c.Effects
			if cd.c.Variants != nil {
				ev.variantEffects(cd)
			}
			continue
		}
		ruled = append(ruled, cd.c)
		idx = append(idx, i)
	}
	ev.s.ruled, ev.s.idx = ruled, idx
	if len(ruled) == 0 {
		return nil
	}
	verdicts := grow(ev.s.verdicts, len(ruled))[:len(ruled)]
	clear(verdicts)
	ev.s.verdicts = verdicts
	if err := ev.rev.rules.Decide(ctx, ev.req, ruled, verdicts); err != nil {
		return fmt.Errorf("deciding rules: %w", err)
	}
	for k, v := range verdicts {
		cd := &ev.cands[idx[k]]
		switch {
		case v.Err != nil:
			ev.reject(cd, RuleError, []string{v.Err.Error()})
		case !v.Eligible:
			ev.reject(cd, RuleFailed, v.Reasons)
		case cd.c.Variants != nil:
			ev.variantEffects(cd) // the variant's effects, not the rule's
		case v.Effects != nil:
			cd.effects = v.Effects
		default:
			cd.effects = cd.c.Effects
		}
	}
	return nil
}

func checkLimits(ctx context.Context, ev *evaluation) error {
	for _, cd := range ev.live() {
		if r, lost := ev.forced[cd.c.ID]; lost {
			if cd.c.Referral != nil && r == CodeUsed {
				r = ReferralLimit
			}
			ev.reject(cd, r, []string{lostDetail(r)})
			continue
		}
		l := cd.c.Limits
		if l == (Limits{}) {
			continue
		}
		var u Used
		if ev.usage != nil {
			var err error
			if u, err = ev.used(ctx, cd); err != nil { // with its period's (period.go)
				return fmt.Errorf("reading usage of %s: %w", cd.c.ID, err)
			}
		}
		if ev.held.r != nil { // committing a reservation: its own hold is free
			period := ""
			if l.PerPeriod.Set() {
				period = cd.c.PeriodAt(ev.req.Context.Now).Key()
			}
			u = ev.held.used(cd.c.ID, period, u)
		}
		cd.spent = u.Spent
		switch {
		case l.Redemptions > 0 && u.Redemptions >= l.Redemptions:
			ev.reject(cd, LimitExhausted, nil)
		case l.PerCustomer > 0 && ev.req.Customer.ID == "":
			ev.reject(cd, PerCustomerLimit, []string{"the campaign has a per-customer limit and the cart has no customer id"})
		case l.PerCustomer > 0 && u.Customer >= l.PerCustomer:
			ev.reject(cd, PerCustomerLimit, nil)
		case l.Budget > 0 && u.Spent >= l.Budget:
			ev.reject(cd, BudgetExhausted, nil)
		case l.PerPeriod.Set():
			ev.checkPeriod(cd, u) // period.go
		}
	}
	return nil
}

func finishTotals(_ context.Context, ev *evaluation) error {
	ev.cart.finish(ev)
	ev.dec.settleCards(nil)
	ev.s.keys = sortRejections(ev.dec.Rejected, ev.ranks, ev.s.keys)
	return nil
}
