package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// fire commits what f does, in tx: skipped with its reason, or skipped
// for the trigger's cooldown, or its actions (codes issued to the
// customer, points credited) with the trigger.fired notices that report
// them, in the same transaction.
func fire(tx *bolt.Tx, f *policies.Firing) (*policies.TriggerState, error) {
	fk := firingKey(f.Event, f.Trigger)
	st := &policies.TriggerState{Trigger: f.Trigger, State: policies.TriggerSkipped, At: f.Due, Reason: f.Skip, Details: f.Details}
	if f.Skip != "" {
		return st, putState(tx, fk, st)
	}
	ck := []byte(f.Trigger + "\x00" + f.Customer)
	if last := tx.Bucket(bTrigCool).Get(ck); f.Cooldown > 0 && len(last) == 8 {
		at := time.Unix(0, int64(binary.BigEndian.Uint64(last))).UTC()
		if f.Due.Before(at.Add(f.Cooldown)) {
			st.Reason, st.Details = policies.SkipCooldown, []string{"fired for this customer at " + at.Format(time.RFC3339)}
			return st, putState(tx, fk, st)
		}
	}
	st.State, st.Reason, st.Details = policies.TriggerFired, "", nil
	results := make([]map[string]any, 0, len(f.Actions))
	for _, a := range f.Actions {
		r := map[string]any{"type": a.Type}
		switch a.Type {
		case policies.ActionIssueCode:
			code, err := issueCode(tx, a, f.Customer, f.Due)
			if err != nil {
				return nil, err
			}
			st.Codes = append(st.Codes, code)
			r["campaign"], r["code"] = a.Campaign, code
		case policies.ActionPoints:
			if _, err := credit(tx, f.Customer, a.Points, f.Terms, f.Due, policies.TxEarn, "trigger "+f.ID); err != nil {
				return nil, err
			}
			st.Points += a.Points
			r["points"] = a.Points
		case policies.ActionWebhook:
			st.Endpoints = append(st.Endpoints, a.Endpoint)
			r["endpoint"] = a.Endpoint
		default:
			return nil, fmt.Errorf("trigger %s: action %q has no effect here", f.Trigger, a.Type)
		}
		results = append(results, r)
	}
	if err := putNotices(tx, firedNotices(f, results, st.Endpoints)); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bTrigCool).Put(ck, binary.BigEndian.AppendUint64(nil, uint64(f.Due.UnixNano()))); err != nil {
		return nil, err
	}
	return st, putState(tx, fk, st)
}

// firedNotices are the trigger.fired notices of f: one for every
// endpoint, or one for each endpoint its webhook actions name, with
// "endpoint" in its data (the delivery sends it there only).
func firedNotices(f *policies.Firing, results []map[string]any, endpoints []string) []policies.Notice {
	data := map[string]any{"trigger": f.Trigger, "firing": f.ID, "event": f.Event, "customer_id": f.Customer, "actions": results}
	if f.Cart != "" {
		data["cart_id"] = f.Cart
	}
	id := string(policies.NoticeTriggerFired) + ":" + f.ID
	if len(endpoints) == 0 {
		raw, _ := json.Marshal(data) // maps of strings and numbers
		return []policies.Notice{{ID: id, Type: policies.NoticeTriggerFired, At: f.Due, Data: raw}}
	}
	out := make([]policies.Notice, 0, len(endpoints))
	for _, ep := range endpoints {
		data["endpoint"] = ep
		raw, _ := json.Marshal(data)
		out = append(out, policies.Notice{ID: id + ":" + ep, Type: policies.NoticeTriggerFired, At: f.Due, Data: raw})
	}
	return out
}

// issueCode makes one new code of a's campaign owned by customer: unique
// across the store, logged for the fleet's replicas as generated codes
// are.
func issueCode(tx *bolt.Tx, a policies.Action, customer string, now time.Time) (string, error) {
	sp := &policies.CodeSpec{Count: 1, Pattern: a.Pattern, Prefix: a.Prefix, Postfix: a.Postfix}
	c, err := freeCode(tx, sp) // codes.go
	if err != nil {
		return "", err
	}
	if err := putOwnedCode(tx, c, a.Campaign, customer, now); err != nil {
		return "", err
	}
	meta := tx.Bucket(bMeta)
	key := shapeKey(sp)
	return c, meta.Put(key, u64(getU64(meta.Get(key))+1))
}
