package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// triggerRevision has one campaign of generated codes and a trigger that
// issues one of them after a delay, unless the customer orders.
func triggerRevision(t testing.TB, after string) *policies.Revision {
	t.Helper()
	return loadRevision(t, "trig", map[string]string{
		"promo/campaigns/back/data.json": `{"unique_codes":true,"effects":[{"type":"amount_off","amount":100}]}`,
		"promo/triggers/comeback/data.json": `{"event":"cart_abandoned","after":"` + after + `","unless":["order_placed"],
			"actions":[{"type":"issue_code","campaign":"back"}]}`,
	})
}

func (f *fleet) event(tn *tnode, id, typ, customer, cart string, at time.Time) *policies.EarnResult {
	f.t.Helper()
	body := `{"id":"` + id + `","type":"` + typ + `","customer_id":"` + customer + `","cart_id":"` + cart + `","at":"` + at.Format(time.RFC3339Nano) + `"}`
	ev, err := policies.DecodeEvent([]byte(body), time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := tn.eng.RecordEvent(context.Background(), ev)
	if err != nil {
		f.t.Fatalf("event %s on %s: %v", id, tn.name, err)
	}
	return r
}

func (f *fleet) triggerState(tn *tnode, event string) string {
	v, err := tn.st.EventByID(context.Background(), event)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(v.Triggers) == 0 {
		return ""
	}
	return v.Triggers[len(v.Triggers)-1].State
}

// TestUnlessEventOnAnotherNodeCancels: an event is handled by the node
// that receives it (the abandoned cart schedules its trigger on n0 only);
// the order reaching n1 cancels n0's trigger while they are connected,
// and a third node's order of another customer cancels nothing.
func TestUnlessEventOnAnotherNodeCancels(t *testing.T) {
	f := newFleet(t, 3, triggerRevision(t, "48h"))
	n0, n1, n2 := f.nodes[0], f.nodes[1], f.nodes[2]
	now := time.Now().UTC()
	f.event(n0, "ab-1", "cart_abandoned", "u-1", "c-1", now)
	f.event(n0, "ab-2", "cart_abandoned", "u-2", "c-2", now)
	for _, tn := range []*tnode{n1, n2} {
		if _, ok, _ := tn.st.NextDue(context.Background()); ok {
			t.Fatalf("%s scheduled an event n0 received", tn.name)
		}
	}
	if r := f.event(n1, "ord-1", "order_placed", "u-1", "c-1", now.Add(time.Minute)); len(r.Triggers) != 0 {
		t.Fatalf("n1 holds no trigger of u-1: %+v", r.Triggers)
	}
	f.event(n2, "ord-3", "order_placed", "u-3", "c-3", now.Add(time.Minute))
	f.eventually(5*time.Second, "n0's trigger of u-1 cancelled by n1's order", func() bool {
		return f.triggerState(n0, "ab-1") == policies.TriggerCancelled
	})
	if s := f.triggerState(n0, "ab-2"); s != policies.TriggerScheduled {
		t.Fatalf("u-2's trigger: %s", s)
	}
}

// TestLeavingNodeKeepsItsTriggers: a node that leaves keeps its
// scheduled triggers in its file; none fires while it is away (no other
// node holds them), and it fires each once when it returns, late. An
// order that reached another node while it was away is sent to it again
// when it returns, and cancels that customer's trigger.
func TestLeavingNodeKeepsItsTriggers(t *testing.T) {
	f := newFleet(t, 2, triggerRevision(t, "300ms"))
	n0, n1 := f.nodes[0], f.nodes[1]
	now := time.Now().UTC()
	f.event(n1, "ab-1", "cart_abandoned", "u-1", "c-1", now)
	f.event(n1, "ab-2", "cart_abandoned", "u-2", "c-2", now)
	if err := n1.node.Leave(time.Second); err != nil {
		t.Fatal(err)
	}
	f.crash(n1)
	f.event(n0, "ord-2", "order_placed", "u-2", "c-2", now.Add(time.Millisecond)) // n1 is away
	time.Sleep(400 * time.Millisecond)                                            // past due while away
	if states, err := n0.eng.FireDue(context.Background()); err != nil || len(states) != 0 {
		t.Fatalf("n0 fired %+v %v", states, err)
	}
	f.restart(n1)
	f.eventually(5*time.Second, "n0's order sent again to n1, which cancels u-2's trigger", func() bool {
		return f.triggerState(n1, "ab-2") == policies.TriggerCancelled
	})
	states, err := n1.eng.FireDue(context.Background())
	if err != nil || len(states) != 1 || states[0].State != policies.TriggerFired || len(states[0].Codes) != 1 {
		t.Fatalf("on return: %+v %v", states, err)
	}
	if again, err := n1.eng.FireDue(context.Background()); err != nil || len(again) != 0 {
		t.Fatalf("fired twice: %+v %v", again, err)
	}
}
