package sidecar_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// giftExtra is a gift card program without a rule, added to the example
// bundle, and a plain campaign with generated codes.
var giftExtra = map[string]string{
	"promo/campaigns/gift-any/data.yaml":  "unique_codes: true\ngift_card: {amount: 10000}\n",
	"promo/campaigns/coupons/data.yaml":   "unique_codes: true\neffects: [{type: amount_off, amount: 100, scope: cart}]\n",
	"promo/campaigns/gift-euro/data.yaml": "unique_codes: true\ncurrency: EUR\ngift_card: {amount: 2000}\n",
}

const giftAdmin = "gift-admin"

func giftStack(t *testing.T) *sidecartest.Sidecar {
	t.Helper()
	s, _ := giftStackStore(t)
	return s
}

// giftStackStore is giftStack and the store under it.
func giftStackStore(t *testing.T) (*sidecartest.Sidecar, *store.Store) {
	t.Helper()
	stack := sidecartest.ExampleStack(t, "", giftExtra)
	return sidecartest.StartDeps(t, stack.Deps, giftAdmin), stack.Store
}

// genCards generates n cards of campaign with body's extra fields.
func genCards(t *testing.T, s *sidecartest.Sidecar, campaign, extra string, n int) []string {
	t.Helper()
	status, body := s.DoAs(t, giftAdmin, "POST", "/v1/campaigns/"+campaign+"/codes",
		[]byte(fmt.Sprintf(`{"count":%d,"pattern":"GC-####-####"%s}`, n, extra)))
	if status != 200 {
		t.Fatalf("generating cards: %d %s", status, body)
	}
	var out struct{ Codes []string }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Codes
}

type cardView struct {
	Balance      *int64
	Transactions []policies.GiftCardTx
}

func readCard(t *testing.T, s *sidecartest.Sidecar, code string) cardView {
	t.Helper()
	status, body := s.DoAs(t, giftAdmin, "GET", "/v1/codes/"+code, nil)
	var v cardView
	if status != 200 || json.Unmarshal(body, &v) != nil || v.Balance == nil {
		t.Fatalf("reading card %s: %d %s", code, status, body)
	}
	return v
}

func cardRedeem(i int, code string, price int64) []byte {
	return []byte(fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"PEN","quantity":1,"unit_price":%d}]},
		"codes":["%s"],"order_id":"o-%d","idempotency_key":"k-%d"}`, price, code, i, i))
}

// TestGiftCardConcurrentRedeems: 100 redeems of one card at once on one
// node; the card ends exactly at what is left (zero when they ask for
// more than it holds), never below, the answers' amounts add up to what
// the card lost, and its ledger chains balance after balance.
func TestGiftCardConcurrentRedeems(t *testing.T) {
	for _, tc := range []struct {
		name            string
		amount, price   int64
		wantLeft        int64
		wantPartialSeen bool
	}{
		{"more asked than held", 10000, 300, 0, true}, // 100 × 3.00 > 100.00: 33 pay 3.00, one pays 1.00
		{"less asked than held", 40000, 300, 10000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := giftStack(t)
			code := genCards(t, s, "gift-any", fmt.Sprintf(`,"amount":%d`, tc.amount), 1)[0]
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				paid    int64
				partial bool
				fails   []string
			)
			for i := range 100 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status, body := s.Do(t, "POST", "/v1/redemptions", cardRedeem(i, code, tc.price))
					var d policies.Decision
					mu.Lock()
					defer mu.Unlock()
					if status != 200 || json.Unmarshal(body, &d) != nil {
						fails = append(fails, fmt.Sprintf("%d %s", status, body))
						return
					}
					for _, g := range d.GiftCards {
						paid += g.Amount
						partial = partial || (g.Amount > 0 && g.Amount < tc.price)
						if g.BalanceAfter < 0 || g.BalanceBefore-g.Amount != g.BalanceAfter {
							fails = append(fails, fmt.Sprintf("payment %+v", g))
						}
					}
					if want := d.Total - sumCards(d.GiftCards); d.AmountDue != want {
						fails = append(fails, fmt.Sprintf("amount due %d, want %d", d.AmountDue, want))
					}
				}()
			}
			wg.Wait()
			if len(fails) > 0 {
				t.Fatalf("%d failed, e.g. %s", len(fails), fails[0])
			}
			v := readCard(t, s, code)
			if *v.Balance != tc.wantLeft || paid != tc.amount-tc.wantLeft || partial != tc.wantPartialSeen {
				t.Fatalf("balance %d, answers paid %d, partial %v; want %d left", *v.Balance, paid, partial, tc.wantLeft)
			}
			bal := int64(0)
			for _, tx := range v.Transactions {
				if bal += tx.Amount; tx.Balance != bal || bal < 0 {
					t.Fatalf("ledger breaks at %+v (running %d)", tx, bal)
				}
			}
		})
	}
}

func sumCards(gs []policies.GiftCardPayment) int64 {
	var n int64
	for _, g := range gs {
		n += g.Amount
	}
	return n
}

// TestGiftCardBadInputWritesNothing: an amount for a campaign that is not
// a gift card program, a negative amount, a card of another currency
// than its program's, a change of zero and a removal past zero are clear
// errors and change nothing.
func TestGiftCardBadInputWritesNothing(t *testing.T) {
	s, st := giftStackStore(t)
	code := genCards(t, s, "gift-any", "", 1)[0]
	for _, bad := range []struct {
		campaign, body, want string
		status               int
	}{
		{"coupons", `{"count":1,"pattern":"X-####","amount":500}`, "not a gift card program", 400},
		{"gift-any", `{"count":1,"pattern":"X-####","amount":-500}`, "must not be negative", 400},
		{"gift-euro", `{"count":1,"pattern":"X-####","currency":"USD"}`, "issues cards in EUR", 400},
		{"coupons", `{"count":1,"pattern":"X-####","currency":"USD"}`, "not a gift card program", 400},
	} {
		status, body := s.DoAs(t, giftAdmin, "POST", "/v1/campaigns/"+bad.campaign+"/codes", []byte(bad.body))
		if status != bad.status || !strings.Contains(string(body), bad.want) {
			t.Errorf("%s %s: %d %s, want %d %q", bad.campaign, bad.body, status, body, bad.status, bad.want)
		}
	}
	// Nothing was generated by the refused calls: the X- shape is unused.
	for i := range 10000 {
		if c, err := st.Code(context.Background(), fmt.Sprintf("X-%04d", i)); !errors.Is(err, policies.ErrUnknownCode) {
			t.Fatalf("a refused generation wrote %+v (%v)", c, err)
		}
	}
	genCards(t, s, "coupons", "", 1) // and generation still works
	for _, bad := range []struct {
		body   string
		status int
	}{
		{`{"amount":0,"idempotency_key":"a"}`, 400},
		{`{"amount":-10001,"idempotency_key":"b"}`, 409},
		{`{"amount":5}`, 400},
		{`{"amount":"5","idempotency_key":"c"}`, 400},
	} {
		if status, body := s.DoAs(t, giftAdmin, "POST", "/v1/codes/"+code+"/balance", []byte(bad.body)); status != bad.status {
			t.Errorf("balance %s: %d %s, want %d", bad.body, status, body, bad.status)
		}
	}
	if status, _ := s.Do(t, "POST", "/v1/codes/"+code+"/balance", []byte(`{"amount":5,"idempotency_key":"d"}`)); status != http.StatusUnauthorized {
		t.Errorf("a balance change without the admin token: %d", status)
	}
	if v := readCard(t, s, code); *v.Balance != 10000 || len(v.Transactions) != 1 {
		t.Fatalf("bad input changed the card: %+v", v)
	}
	// A card of euros in a cart of dollars pays nothing and is not debited.
	euro := genCards(t, s, "gift-euro", "", 1)[0]
	status, body := s.Do(t, "POST", "/v1/redemptions", cardRedeem(1, euro, 500))
	if status != 200 || !strings.Contains(string(body), `"reason":"currency"`) || !strings.Contains(string(body), `"amount_due":500`) {
		t.Fatalf("euro card: %d %s", status, body)
	}
	if v := readCard(t, s, euro); *v.Balance != 2000 || len(v.Transactions) != 1 {
		t.Fatalf("the euro card changed: %+v", v)
	}
}

// TestReservationHoldsAGiftCard: a reservation holds what its card would
// pay, so no other checkout can spend it meanwhile; its commit pays with
// the held amount (the hold is its own), and a release puts it back.
func TestReservationHoldsAGiftCard(t *testing.T) {
	s := giftStack(t)
	codes := genCards(t, s, "gift-any", `,"amount":3000`, 2)
	cart := func(code, fields string) []byte {
		return []byte(fmt.Sprintf(`{%s"cart":{"currency":"USD","items":[{"id":"l1","sku":"PEN","quantity":1,"unit_price":5000}]},"codes":[%q]}`, fields, code))
	}
	status, out := s.Do(t, "POST", "/v1/reservations", cart(codes[0], `"idempotency_key":"r1",`))
	var rs struct {
		ReservationID string `json:"reservation_id"`
		policies.Decision
	}
	if status != 200 || json.Unmarshal(out, &rs) != nil || sumCards(rs.GiftCards) != 3000 || *readCard(t, s, codes[0]).Balance != 0 {
		t.Fatalf("reserve with a $30 card: %d %s", status, out)
	}
	// Another checkout finds the card empty while it is held.
	var d policies.Decision
	if status, out := s.Do(t, "POST", "/v1/redemptions", cart(codes[0], `"order_id":"o2","idempotency_key":"k2",`)); status != 200 ||
		json.Unmarshal(out, &d) != nil || sumCards(d.GiftCards) != 0 {
		t.Fatalf("a redeem spent a held card: %d %s", status, out)
	}
	// The commit pays the held $30, and the card ends at zero once.
	status, out = s.Do(t, "POST", "/v1/redemptions", cart(codes[0], fmt.Sprintf(`"reservation_id":%q,"order_id":"o1","idempotency_key":"c1",`, rs.ReservationID)))
	if status != 200 || json.Unmarshal(out, &d) != nil || sumCards(d.GiftCards) != 3000 || d.AmountDue != d.Total-3000 || *readCard(t, s, codes[0]).Balance != 0 {
		t.Fatalf("commit of the held card: %d %s, balance %d", status, out, *readCard(t, s, codes[0]).Balance)
	}
	// A released hold gives the card its balance back.
	status, out = s.Do(t, "POST", "/v1/reservations", cart(codes[1], `"idempotency_key":"r2",`))
	if status != 200 || json.Unmarshal(out, &rs) != nil || *readCard(t, s, codes[1]).Balance != 0 {
		t.Fatalf("reserve the second card: %d %s", status, out)
	}
	if status, out := s.Do(t, "DELETE", "/v1/reservations/"+rs.ReservationID, nil); status != 200 || *readCard(t, s, codes[1]).Balance != 3000 {
		t.Fatalf("release: %d %s, balance %d", status, out, *readCard(t, s, codes[1]).Balance)
	}
}
