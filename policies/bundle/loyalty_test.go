package bundle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies/bundle"
)

const goodProgram = `timezone: Europe/Dublin
pending_days: 14
expire_days: 365
tiers:
  window_days: 365
  levels: [{name: basic, at_least: 0}, {name: advanced, at_least: 1000}, {name: vip, at_least: 5000}]
earning:
  review_written: {points: 50, per_customer_per_day: 1}
rewards:
  five-off: {name: "$5 off", points: 500, effect: {type: amount_off, amount: 500, scope: cart}}
  socks: {points: 800, effect: {type: free_item, sku: SOCK-GIFT, quantity: 1}, stock: 100}
  tree: {points: 200, donation: {charity: one-tree-planted, amount: 100}}
`

// TestLoadReadsTheLoyaltyProgram: a valid program reaches the revision.
func TestLoadReadsTheLoyaltyProgram(t *testing.T) {
	dir := files{".manifest": `{"revision": "l-1"}`, "promo/loyalty/data.yaml": goodProgram}.writeDir(t)
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	p := rev.Loyalty
	if p == nil || p.PendingDays != 14 || p.ExpireDays != 365 || len(p.Tiers) != 3 || p.Rewards["socks"].Stock != 100 ||
		p.Earning["review_written"].PerCustomerPerDay != 1 || p.Timezone.String() != "Europe/Dublin" || p.Rewards["tree"].Donation == nil {
		t.Fatalf("program %+v", p)
	}
	if tier, next := p.TierOf(1200); tier.Name != "advanced" || next == nil || next.Name != "vip" {
		t.Fatalf("tier of 1200: %v %v", tier, next)
	}
}

// TestLoadListsEveryProblemOfTheProgram: every mistake of a program is
// named with its file, line and field, with suggestions, and nothing loads.
func TestLoadListsEveryProblemOfTheProgram(t *testing.T) {
	bad := `timezone: Mars/Olympus
pending_dayz: 3
expire_days: -1
tiers:
  levels: [{name: basic, at_least: 10}, {name: vip, at_least: 5}]
earning:
  review_written: {pionts: 5}
rewards:
  gift-30: {points: 3000, gift_card: {campaign: gift-vip, amount: -5}}
  off: {points: 0, effect: {type: amount_of, amount: 5}}
`
	dir := files{".manifest": `{"revision": "l-2"}`, "promo/loyalty/data.yaml": bad}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	want := map[string]int{ // field -> line
		"promo.loyalty.timezone":                         1,
		"promo.loyalty.expire_days":                      3,
		"promo.loyalty.pending_dayz":                     2,
		"promo.loyalty.tiers.levels[0].at_least":         5,
		"promo.loyalty.tiers.levels[1].at_least":         5,
		"promo.loyalty.earning.review_written.points":    7,
		"promo.loyalty.earning.review_written.pionts":    7,
		"promo.loyalty.rewards.gift-30.gift_card.amount": 9,
		"promo.loyalty.rewards.off.points":               10,
		"promo.loyalty.rewards.off.effect.type":          10,
	}
	got := map[string]bundle.Problem{}
	for _, p := range le.Problems {
		if p.File != "promo/loyalty/data.yaml" {
			t.Errorf("problem in file %q: %v", p.File, p)
		}
		got[p.Field] = p
	}
	for f, line := range want {
		if p, ok := got[f]; !ok || p.Line != line {
			t.Errorf("field %s: got %+v, want line %d; all: %v", f, p, line, err)
		}
	}
	for f, sub := range map[string]string{
		"promo.loyalty.pending_dayz":                     `did you mean "pending_days"?`,
		"promo.loyalty.earning.review_written.pionts":    `did you mean "points"?`,
		"promo.loyalty.rewards.off.effect.type":          `did you mean "amount_off"?`,
		"promo.loyalty.rewards.gift-30.gift_card.amount": "at least 1",
	} {
		if !strings.Contains(got[f].Message, sub) {
			t.Errorf("%s: %q lacks %q", f, got[f].Message, sub)
		}
	}
}

// TestLoadChecksGiftCardRewards: a gift card reward names a gift card
// program of the same bundle; another campaign, or none, refuses the
// bundle with the reward's field.
func TestLoadChecksGiftCardRewards(t *testing.T) {
	campaigns := map[string]string{
		"promo/campaigns/gift-vip/data.yaml": "gift_card: {amount: 3000}\n",
		"promo/campaigns/plain/data.yaml":    "effects: [{type: amount_off, amount: 100, scope: cart}]\n",
	}
	for name, tc := range map[string]struct{ reward, field, want string }{
		"unknown campaign": {"{points: 10, gift_card: {campaign: nope}}", "promo.loyalty.rewards.gc.gift_card.campaign", `no campaign "nope"`},
		"not a gift card":  {"{points: 10, gift_card: {campaign: plain}}", "promo.loyalty.rewards.gc.gift_card.campaign", "not a gift card program"},
	} {
		t.Run(name, func(t *testing.T) {
			fs := files{".manifest": `{"revision": "g-1"}`, "promo/loyalty/data.yaml": "rewards:\n  gc: " + tc.reward + "\n"}
			for k, v := range campaigns {
				fs[k] = v
			}
			_, err := bundle.LoadPath(context.Background(), fs.writeDir(t))
			le := loadError(t, err)
			found := false
			for _, p := range le.Problems {
				found = found || p.Field == tc.field && strings.Contains(p.Message, tc.want)
			}
			if !found {
				t.Fatalf("want %s: %q in %v", tc.field, tc.want, err)
			}
		})
	}
	fs := files{".manifest": `{"revision": "g-2"}`, "promo/loyalty/data.yaml": "rewards:\n  gc: {points: 10, gift_card: {campaign: gift-vip}}\n"}
	for k, v := range campaigns {
		fs[k] = v
	}
	rev, err := bundle.LoadPath(context.Background(), fs.writeDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if rw := rev.Loyalty.Rewards["gc"]; rw.GiftCard == nil || rw.GiftCard.Campaign != "gift-vip" {
		t.Fatalf("reward %+v", rw)
	}
}
