package cluster

import (
	"reflect"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

func TestMessageRoundTrip(t *testing.T) {
	msgs := []message{
		{kind: kUsage, node: "n1", campaign: "c", c: counters{Version: 7, Redemptions: 3, Spent: -1, HeldCount: 4, HeldBudget: 500}},
		{kind: kSwitch, node: "n2", campaign: "c", s: switchState{Disabled: true, Stamp: 99, Node: "n2"}},
		{kind: kRequest, node: "n1", campaign: "c", limit: limitBudget, amount: 100},
		{kind: kTransfer, node: "n0", id: "n0/ab/1", campaign: "c", limit: limitCount, amount: 3},
		{kind: kAck, node: "n1", id: "n0/ab/1"},
		{kind: kDeny, node: "n2", campaign: "c", limit: limitCount, amount: 2},
		{kind: kWalletPeek, node: "n1", id: "n1/4", campaign: "u-1", amount: 1764000000000000000, c: counters{Spent: 86400e9}},
		{kind: kWalletShare, node: "n2", id: "n1/4", chunks: [][]byte{[]byte(`{"Balance":5}`)}},
		{kind: kTriggerCancel, node: "n1", cancel: &policies.TriggerCancel{Event: "e-1", Type: "order_placed", Customer: "u-1", Cart: "c-1", At: time.Unix(0, 1e18).UTC()}},
		{kind: kReserveAsk, node: "n1", id: "n1/3", campaign: "commit", chunks: [][]byte{[]byte("rs_1.6e30"), []byte(`{"cart":{}}`)}},
		{kind: kReserveAnswer, node: "n0", id: "n1/3", amount: 409, chunks: [][]byte{[]byte(`{"error":{}}`)}},
	}
	for _, m := range msgs {
		got, err := decode(m.encode(nil))
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("%+v -> %+v, %v", m, got, err)
		}
	}
	all, err := decodeState(encodeState(msgs))
	if err != nil || !reflect.DeepEqual(all, msgs) {
		t.Fatalf("state: %v", err)
	}
}

// FuzzDecode feeds gossip and transfer decoding hostile bytes: it must
// never panic, and what decodes must encode back to the same message.
func FuzzDecode(f *testing.F) {
	f.Add((&message{kind: kTransfer, node: "n0", id: "x", campaign: "c", limit: limitCount, amount: 1}).encode(nil))
	f.Add(encodeState([]message{{kind: kUsage, node: "n", campaign: "c"}}))
	f.Add([]byte{1, 200, 200, 200})
	f.Add((&message{kind: kReserveAsk, node: "n1", id: "n1/1", campaign: "get", chunks: [][]byte{[]byte("rs_1"), nil}}).encode(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := decode(b); err == nil {
			again, err := decode(m.encode(nil))
			if err != nil || !reflect.DeepEqual(again, m) {
				t.Fatalf("%+v re-decoded as %+v, %v", m, again, err)
			}
		}
		_, _ = decodeState(b)
	})
}
