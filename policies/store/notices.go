package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// The outbox (SPEC §13): a notice is written once, and queued for each
// endpoint it goes to; it leaves the outbox when no endpoint's queue
// holds it any more.
var (
	bNotices = []byte("webhook_outbox")    // seq (8) -> Notice JSON
	bHooks   = []byte("webhook_endpoints") // endpoint name -> hookState JSON
	// endpoint \x00 seq (8) -> "" (pending for it; the notice is in
	// bNotices) or a reference to a record that makes the notice
	// (reports.go), which needs no entry in bNotices
	bHookQueue = []byte("webhook_queue")
)

var _ policies.Outbox = (*Store)(nil)

// hookState is one endpoint's counters and bound, updated in the commits
// that queue for it and the settlements of its deliveries.
type hookState struct {
	Active        bool       `json:"active"` // configured at the last start: notices queue for it
	Max           int64      `json:"max"`    // bound on Pending
	Pending       int64      `json:"pending"`
	Delivered     int64      `json:"delivered"`
	Failed        int64      `json:"failed"`
	Dropped       int64      `json:"dropped"`
	LastError     string     `json:"last_error,omitempty"`
	LastErrorAt   *time.Time `json:"last_error_at,omitempty"`
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
}

// hooks is the endpoints' states as one transaction reads and changes them.
type hooks struct {
	tx    *bolt.Tx
	state map[string]*hookState
	dirty map[string]bool
	names []string // of state, sorted; nil until all is called
}

func readHooks(tx *bolt.Tx, activeOnly bool) (*hooks, error) {
	h := &hooks{tx: tx, state: map[string]*hookState{}, dirty: map[string]bool{}}
	err := tx.Bucket(bHooks).ForEach(func(k, v []byte) error {
		var st hookState
		if err := json.Unmarshal(v, &st); err != nil {
			return fmt.Errorf("%w: webhook endpoint %q: %v", errCorruptOutbox, k, err)
		}
		if st.Active || !activeOnly {
			h.state[string(k)] = &st
		}
		return nil
	})
	return h, err
}

func (h *hooks) write() error {
	for name := range h.dirty {
		raw, err := json.Marshal(h.state[name])
		if err != nil {
			return err
		}
		if err := h.tx.Bucket(bHooks).Put([]byte(name), raw); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}

func queueKey(endpoint string, seq uint64) []byte {
	k := make([]byte, 0, len(endpoint)+9)
	k = append(k, endpoint...)
	k = append(k, 0)
	return append(k, u64(seq)...)
}

// putNotices appends ns to the outbox in tx and queues each for the
// endpoints configured (a trigger.fired notice whose data names an
// "endpoint" for that one only), so that a notice is durable exactly when
// the change it reports is. With no endpoint configured it keeps nothing.
// An endpoint whose queue is full loses its oldest notice, counted failed
// and dropped: a receiver that is down never blocks or fails a commit.
func putNotices(tx *bolt.Tx, ns []policies.Notice) error {
	if len(ns) == 0 {
		return nil
	}
	h, err := readHooks(tx, true)
	if err != nil {
		return err
	}
	if err := h.add(ns, nil); err != nil {
		return err
	}
	return h.write()
}

// add queues ns, and pre (notices already encoded or references to
// records, for every endpoint).
func (h *hooks) add(ns []policies.Notice, pre [][]byte) error {
	if len(h.state) == 0 {
		return nil
	}
	for _, raw := range pre {
		if err := h.put(raw, h.all(), true); err != nil {
			return err
		}
	}
	for i := range ns {
		targets := noticeTargets(&ns[i], h)
		if len(targets) == 0 {
			continue
		}
		raw, err := json.Marshal(&ns[i])
		if err != nil {
			return fmt.Errorf("outbox: encoding %s %s: %w", ns[i].Type, ns[i].ID, err)
		}
		if err := h.put(raw, targets, false); err != nil {
			return err
		}
	}
	return nil
}

// all is every active endpoint, by name.
func (h *hooks) all() []string {
	if h.names == nil {
		h.names = make([]string, 0, len(h.state))
		for name := range h.state {
			h.names = append(h.names, name)
		}
		slices.Sort(h.names)
	}
	return h.names
}

// noticeTargets is the endpoints n goes to.
func noticeTargets(n *policies.Notice, h *hooks) []string {
	if n.Type == policies.NoticeTriggerFired {
		var to struct {
			Endpoint string `json:"endpoint"`
		}
		if json.Unmarshal(n.Data, &to) == nil && to.Endpoint != "" {
			if _, ok := h.state[to.Endpoint]; ok {
				return []string{to.Endpoint}
			}
			return nil // an endpoint no longer configured
		}
	}
	return h.all()
}

// put queues one encoded notice, or a reference (ref), for targets.
func (h *hooks) put(raw []byte, targets []string, ref bool) error {
	b := h.tx.Bucket(bNotices)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	var inQueue []byte
	if ref {
		inQueue = raw
	} else if err := b.Put(u64(seq), raw); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	q := h.tx.Bucket(bHookQueue)
	for _, name := range targets {
		st := h.state[name]
		for st.Max > 0 && st.Pending >= st.Max { // more than once after the bound was lowered
			if err := h.dropOldest(name, st); err != nil {
				return err
			}
		}
		if err := q.Put(queueKey(name, seq), inQueue); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		st.Pending++
		h.dirty[name] = true
	}
	return nil
}

// dropOldest gives up on the oldest notice queued for name.
func (h *hooks) dropOldest(name string, st *hookState) error {
	prefix := queueKey(name, 0)[:len(name)+1]
	c := h.tx.Bucket(bHookQueue).Cursor()
	k, _ := c.Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		st.Pending = 0 // the counter was off; the queue is empty
		return nil
	}
	seq := getU64(k[len(prefix):])
	if err := c.Delete(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	st.Pending--
	st.Failed++
	st.Dropped++
	return h.release(seq)
}

// release deletes notice seq from the outbox once no endpoint's queue
// holds it (an endpoint not configured now keeps its queue for when it
// is again).
func (h *hooks) release(seq uint64) error {
	if h.tx.Bucket(bNotices).Get(u64(seq)) == nil {
		return nil // a reference, kept in the queue only
	}
	q := h.tx.Bucket(bHookQueue)
	err := h.tx.Bucket(bHooks).ForEach(func(k, _ []byte) error {
		if q.Get(queueKey(string(k), seq)) != nil {
			return errHeld
		}
		return nil
	})
	if err == errHeld {
		return nil
	}
	if err != nil {
		return err
	}
	return h.tx.Bucket(bNotices).Delete(u64(seq))
}

// Errors of the outbox.
var (
	errCorruptOutbox = errors.New("store: corrupt webhook outbox")
	errHeld          = errors.New("held") // release: a queue still holds it
)

// emit puts ns in tx and wakes the webhook worker once tx commits.
func (s *Store) emit(tx *bolt.Tx, ns []policies.Notice) error {
	if len(ns) == 0 {
		return nil
	}
	if err := putNotices(tx, ns); err != nil {
		return err
	}
	tx.OnCommit(s.notify)
	return nil
}

// emitInBatch is emit for the commit loop's transactions, which hold many
// redemptions: the endpoints' states are read once per transaction and
// written by flushNotices before it commits. pre are notices encoded off
// the loop, for every endpoint. Only the loop's goroutine calls it.
func (s *Store) emitInBatch(tx *bolt.Tx, ns []policies.Notice, pre [][]byte) error {
	if len(ns) == 0 && len(pre) == 0 {
		return nil
	}
	if s.batchHooks == nil || s.batchHooks.tx != tx {
		h, err := readHooks(tx, true)
		if err != nil {
			return err
		}
		s.batchHooks = h
		tx.OnCommit(s.notify)
	}
	return s.batchHooks.add(ns, pre)
}

// flushNotices writes what emitInBatch changed in tx; the loop calls it
// before committing tx (and forgets it when tx is rolled back).
func (s *Store) flushNotices(tx *bolt.Tx) error {
	h := s.batchHooks
	s.batchHooks = nil
	if h == nil || h.tx != tx {
		return nil
	}
	return h.write()
}

func (s *Store) notify() {
	select {
	case s.noticed <- struct{}{}:
	default:
	}
}

// Noticed implements policies.Outbox.
func (s *Store) Noticed() <-chan struct{} { return s.noticed }

// Configure implements policies.Outbox: the endpoints named are active
// with maxPending each (0: unbounded); others keep their queues, inactive,
// until they are named again.
func (s *Store) Configure(_ context.Context, endpoints []string, maxPending int) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		h, err := readHooks(tx, false)
		if err != nil {
			return err
		}
		for name, st := range h.state {
			if st.Active && !slices.Contains(endpoints, name) {
				st.Active, h.dirty[name] = false, true
			}
		}
		for _, name := range endpoints {
			st := h.state[name]
			if st == nil {
				st = &hookState{}
				h.state[name] = st
			}
			st.Active, st.Max, h.dirty[name] = true, int64(maxPending), true
		}
		return h.write()
	})
	if err == nil {
		s.hooked.Store(len(endpoints) > 0)
	}
	return err
}

// Pending implements policies.Outbox.
func (s *Store) Pending(_ context.Context, endpoint string, after uint64, n int) ([]policies.Delivery, error) {
	var out []policies.Delivery
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := queueKey(endpoint, 0)[:len(endpoint)+1]
		notices := tx.Bucket(bNotices)
		c := tx.Bucket(bHookQueue).Cursor()
		for k, v := c.Seek(queueKey(endpoint, after+1)); k != nil && bytes.HasPrefix(k, prefix) && len(out) < n; k, v = c.Next() {
			seq := getU64(k[len(prefix):])
			raw := v
			if len(raw) == 0 {
				raw = notices.Get(u64(seq))
			}
			if raw == nil {
				return fmt.Errorf("%w: webhook queue of %q names notice %d, which is gone", errCorruptOutbox, endpoint, seq)
			}
			n, err := readNotice(tx, raw)
			if err != nil {
				return fmt.Errorf("%w: notice %d: %v", errCorruptOutbox, seq, err)
			}
			out = append(out, policies.Delivery{Endpoint: endpoint, Seq: seq, Notice: n})
		}
		return nil
	})
	return out, err
}

// Settle implements policies.Outbox.
func (s *Store) Settle(_ context.Context, outcomes []policies.Outcome) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		h, err := readHooks(tx, false)
		if err != nil {
			return err
		}
		q := tx.Bucket(bHookQueue)
		for _, o := range outcomes {
			st := h.state[o.Endpoint]
			if st == nil {
				continue
			}
			h.dirty[o.Endpoint] = true
			at := o.At.UTC()
			if o.State == policies.Delivered {
				st.LastSuccessAt = &at
			} else {
				st.LastError, st.LastErrorAt = o.Error, &at
			}
			k := queueKey(o.Endpoint, o.Seq)
			if o.State == policies.Retrying || q.Get(k) == nil {
				continue
			}
			if err := q.Delete(k); err != nil {
				return err
			}
			st.Pending = max(st.Pending-1, 0)
			if o.State == policies.Delivered {
				st.Delivered++
			} else {
				st.Failed++
			}
			if err := h.release(o.Seq); err != nil {
				return err
			}
		}
		return h.write()
	})
}

// Webhooks implements policies.Outbox: the configured endpoints, by name.
func (s *Store) Webhooks(context.Context) ([]policies.WebhookStatus, error) {
	var out []policies.WebhookStatus
	err := s.db.View(func(tx *bolt.Tx) error {
		h, err := readHooks(tx, true)
		if err != nil {
			return err
		}
		for _, name := range h.all() {
			st := h.state[name]
			out = append(out, policies.WebhookStatus{Endpoint: name, Delivered: st.Delivered, Pending: st.Pending,
				Failed: st.Failed, Dropped: st.Dropped, LastError: st.LastError, LastErrorAt: st.LastErrorAt, LastSuccessAt: st.LastSuccessAt})
		}
		return nil
	})
	return out, err
}

// loadHooked reads whether endpoints were configured when the file was
// last used, until Configure says which are now.
func (s *Store) loadHooked() error {
	return s.db.View(func(tx *bolt.Tx) error {
		h, err := readHooks(tx, true)
		s.hooked.Store(len(h.state) > 0)
		return err
	})
}

// tallyOutbox counts each endpoint's queue entries, for Check.
func tallyOutbox(tx *bolt.Tx, want tally) {
	_ = tx.Bucket(bHookQueue).ForEach(func(k, _ []byte) error {
		if i := bytes.IndexByte(k, 0); i > 0 {
			want.add("webhook.pending", string(k[:i]), 1)
		}
		return nil
	})
}

// outboxCounters reads each endpoint's pending counter, for Check.
func outboxCounters(tx *bolt.Tx, have tally) error {
	h, err := readHooks(tx, false)
	for name, st := range h.state {
		have.add("webhook.pending", name, st.Pending)
	}
	return err
}
