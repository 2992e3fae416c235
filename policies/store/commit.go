package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.Committer = (*Store)(nil)

type commitReq struct {
	r      *policies.Redemption
	held   string      // a reservation r commits (reservations.go)
	pre    *heldRecord // that reservation as read before queueing, if it was
	record []byte      // r encoded, done by the caller, off the commit loop
	cards  [][]byte    // r's gift cards' records as checkAll read them, for the debit (giftcards.go)
	// created: r is reported as redemption.created (a webhook endpoint is
	// configured); the outbox refers to r's record (reports.go).
	created bool
	done    chan commitRes
}

type commitRes struct {
	stored    *policies.Redemption
	replayed  bool
	exhausted map[string]policies.Reason
	err       error
}

// Commit implements policies.Committer. It returns once r's transaction is
// on disk.
func (s *Store) Commit(ctx context.Context, r *policies.Redemption) (*policies.Redemption, bool, map[string]policies.Reason, error) {
	if r.Status != policies.Held { // a reservation commits held (reservations.go)
		r.Status = policies.Redeemed
	}
	return s.enqueue(ctx, &commitReq{r: r, done: make(chan commitRes, 1)})
}

// enqueue hands req to the commit loop and waits for its outcome.
func (s *Store) enqueue(ctx context.Context, req *commitReq) (*policies.Redemption, bool, map[string]policies.Reason, error) {
	r := req.r
	var err error
	if req.record, err = encodeRedemption(r); err != nil {
		return nil, false, nil, err
	}
	// A held reservation would report once committed: only the redeemed.
	req.created = s.hooked.Load() && r.Status == policies.Redeemed
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, false, nil, ErrClosed
	}
	select {
	case s.queue <- req:
	case <-ctx.Done():
		s.mu.RUnlock()
		return nil, false, nil, ctx.Err()
	}
	s.mu.RUnlock()
	// Once queued, the commit happens whatever the caller does: wait for
	// it so that an acknowledged answer is never lost.
	res := <-req.done
	if res.err == nil && !res.replayed && res.stored != nil && res.stored.Status == policies.Held {
		c := *res.stored // the caller keeps its own
		s.holds.put(&c)
		s.expiry.added(*res.stored.ExpiresAt)
	}
	return res.stored, res.replayed, res.exhausted, res.err
}

// loop is the group committer: it opens one write transaction, applies
// redemptions to it as they arrive, and commits them all with one fsync.
//
// Callers whose batch just committed need a moment to send their next
// redemption; a loop that committed the first of them alone would pay an
// fsync for one. So while the transaction holds fewer redemptions than the
// last batch did, the loop waits up to Config.Linger for more, applying
// each as it comes, so the waiting overlaps the work. With one caller the
// last batch was one and nothing waits.
func (s *Store) loop() {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	last := 0
	for {
		select {
		case first := <-s.queue:
			last = s.stream(first, last, timer)
		case <-s.stop:
			s.drain()
			return
		}
	}
}

// stream commits first and whatever follows it in one transaction and
// returns how many redemptions that was.
func (s *Store) stream(first *commitReq, want int, timer *time.Timer) int {
	tx, err := s.db.Begin(true)
	if err != nil {
		first.done <- commitRes{err: fmt.Errorf("store: %w", err)}
		return 1
	}
	appendOnly(tx)
	batch := make([]*commitReq, 0, max(want, 1))
	results := make([]commitRes, 0, max(want, 1))
	failed := false
	add := func(req *commitReq) {
		res, err := s.apply(tx, req)
		batch, results = append(batch, req), append(results, res)
		failed = err != nil
	}
	add(first)
	lingering := false
more:
	for !failed && len(batch) < s.max {
		select {
		case req := <-s.queue:
			add(req)
			continue
		default:
		}
		if len(batch) >= want || s.linger <= 0 {
			break
		}
		if !lingering {
			lingering = true
			timer.Reset(s.linger)
		}
		select {
		case req := <-s.queue:
			add(req)
		case <-timer.C:
			lingering = false
			break more
		}
	}
	if lingering && !timer.Stop() {
		<-timer.C
	}
	if !failed {
		failed = s.flushNotices(tx) != nil
	}
	if failed {
		// A write failed: nothing of this transaction stands. Retry each
		// redemption alone so one bad write cannot sink the others.
		s.batchHooks = nil
		tx.Rollback()
		for _, req := range batch {
			s.commitBatch([]*commitReq{req})
		}
		return len(batch)
	}
	if err := tx.Commit(); err != nil {
		for _, req := range batch {
			req.done <- commitRes{err: fmt.Errorf("store: committing redemptions: %w", err)}
		}
		return len(batch)
	}
	for i, req := range batch {
		req.done <- results[i]
	}
	return len(batch)
}

func (s *Store) drain() {
	for {
		select {
		case req := <-s.queue:
			s.commitBatch([]*commitReq{req})
		default:
			return
		}
	}
}

// commitBatch applies a batch in one transaction. Business outcomes
// (replays, conflicts, exhausted limits) are per redemption and never fail
// the transaction; if the transaction itself fails, each redemption is
// retried alone so that one bad write cannot sink the others.
func (s *Store) commitBatch(batch []*commitReq) {
	results := make([]commitRes, len(batch))
	err := s.db.Update(func(tx *bolt.Tx) error {
		appendOnly(tx)
		for i, req := range batch {
			res, err := s.apply(tx, req)
			if err != nil {
				return err
			}
			results[i] = res
		}
		return s.flushNotices(tx)
	})
	s.batchHooks = nil
	if err == nil {
		for i, req := range batch {
			req.done <- results[i]
		}
		return
	}
	if len(batch) == 1 {
		batch[0].done <- commitRes{err: fmt.Errorf("store: committing redemption: %w", err)}
		return
	}
	for _, req := range batch {
		s.commitBatch([]*commitReq{req})
	}
}

// appendOnly packs the pages of buckets whose keys only grow: bbolt's
// default split at half a page would leave every page half empty.
func appendOnly(tx *bolt.Tx) {
	for _, name := range [][]byte{bRedemptions, bResponses, bLedger, bPoints, bNotices, bHookQueue, bCardTx, bHeldRecs, bHeldAnswers} {
		tx.Bucket(name).FillPercent = 0.95
	}
}

// apply checks every limit of r, then, only if all hold, writes r. It
// returns an error only for a failed write, which aborts the transaction.
func (s *Store) apply(tx *bolt.Tx, req *commitReq) (commitRes, error) {
	r := req.r
	if r.IdempotencyKey != "" {
		if id := tx.Bucket(bIdempotency).Get([]byte(r.IdempotencyKey)); id != nil {
			prev, err := getReplay(tx, string(id))
			if err != nil {
				return commitRes{}, err
			}
			if prev.RequestHash != r.RequestHash {
				return commitRes{err: policies.ErrIdempotencyConflict}, nil
			}
			return commitRes{stored: prev, replayed: true}, nil
		}
	}
	if req.held != "" {
		return s.applyHeld(tx, req)
	}
	used, exhausted, err := s.checkAll(tx, req)
	if err != nil || len(exhausted) > 0 {
		return commitRes{exhausted: exhausted}, err
	}
	return s.write(tx, req, used)
}

// checkAll finds what of r cannot be had here (limits, codes, rewards, a
// referral), reads its gift cards again and settles a card another
// redemption spent first to what is left (giftcards.go), and returns each
// campaign's usage as read. It writes nothing but req's record.
func (s *Store) checkAll(tx *bolt.Tx, req *commitReq) ([]policies.Used, map[string]policies.Reason, error) {
	r := req.r
	esc := &FleetTx{tx} // the limiter's view of this transaction
	used, exhausted, err := s.check(tx, esc, r)
	if err == nil {
		exhausted, err = s.checkRewards(tx, esc, r, exhausted)
	}
	exhausted = checkReferral(tx, r, exhausted)
	if err != nil || len(exhausted) > 0 {
		return nil, exhausted, err
	}
	exhausted, cards, settled, amounts, err := checkCards(tx, r, exhausted)
	if err != nil || len(exhausted) > 0 {
		return nil, exhausted, err
	}
	req.cards = cards
	if settled {
		r.SettleResponse()
	}
	if amounts { // the record keeps what each card paid, for the rollback
		if req.record, err = encodeRedemption(r); err != nil {
			return nil, nil, err
		}
	}
	return used, nil, nil
}

// write takes what r consumes (its limits read as used) and stores it,
// with the notices a webhook endpoint is told of.
func (s *Store) write(tx *bolt.Tx, req *commitReq, used []policies.Used) (commitRes, error) {
	r := req.r
	var notices []policies.Notice
	var tier *tierWatch
	if req.created {
		for i := range r.Campaigns {
			var err error
			if notices, err = exhaustedNotices(notices, r, &r.Campaigns[i], used[i]); err != nil {
				return commitRes{}, err
			}
		}
		tier = watchTier(tx, r.Program, r.CustomerID, r.CreatedAt)
	}
	if err := s.take(tx, r, used, req.cards); err != nil {
		return commitRes{}, err
	}
	if r.Status != policies.Held { // a hold owes a referrer nothing until it is committed
		if err := applyReferral(tx, r); err != nil { // referrals.go: the referrer's lot, the customer seen
			return commitRes{}, err
		}
	}
	notices, err := tier.changed(tx, notices, r.ID)
	if err != nil {
		return commitRes{}, err
	}
	if err := putRecord(tx, r.ID, req.record, r.Response); err != nil {
		return commitRes{}, err
	}
	if err := markPeriods(tx, r); err != nil { // periods.go
		return commitRes{}, err
	}
	if r.IdempotencyKey != "" {
		if err := tx.Bucket(bIdempotency).Put([]byte(r.IdempotencyKey), []byte(r.ID)); err != nil {
			return commitRes{}, err
		}
	}
	if r.Status == policies.Held { // a hold is no redemption: it has no ledger entry
		return commitRes{stored: r}, putHold(tx, r)
	}
	if err := appendLedger(tx, r.CreatedAt, r.ID, policies.Redeemed); err != nil {
		return commitRes{}, err
	}
	if req.created {
		if err := s.emitInBatch(tx, notices, [][]byte{createdRef(r.ID)}); err != nil {
			return commitRes{}, err
		}
	}
	return commitRes{stored: r}, nil
}

// take consumes every limit, code use and wallet change of r: the one
// path by which a redemption, or a reservation's hold, takes anything.
// cards are r's gift cards' records as read in tx (nil: read them).
func (s *Store) take(tx *bolt.Tx, r *policies.Redemption, used []policies.Used, cards [][]byte) error {
	esc := &FleetTx{tx} // the limiter's view of this transaction
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		if err := s.limiter.Take(esc, c, r.CustomerID); err != nil {
			return fmt.Errorf("taking limits of %s: %w", c.Campaign, err)
		}
		if err := addUsage(tx, c, r.CustomerID, used[i], 1); err != nil {
			return err
		}
		if err := addPeriodUsage(tx, c, r.CustomerID, 1); err != nil { // periods.go
			return err
		}
		if c.UniqueCode {
			if err := useCode(tx, c.Code, r.CustomerID, 1); err != nil {
				return err
			}
		}
	}
	if err := debitCards(tx, r, cards); err != nil { // giftcards.go
		return err
	}
	return s.applyWallet(tx, esc, r) // wallet.go: rewards spent, points credited as lots
}

// check finds every campaign of r whose limits (or unique code) cannot
// take this redemption, and returns each campaign's usage as read. It
// writes nothing.
func (s *Store) check(tx *bolt.Tx, esc *FleetTx, r *policies.Redemption) ([]policies.Used, map[string]policies.Reason, error) {
	var out map[string]policies.Reason
	used := make([]policies.Used, len(r.Campaigns))
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		used[i] = withPeriod(tx, c, r.CustomerID, readUsage(tx, c.Campaign, r.CustomerID))
		var reason policies.Reason
		if c.UniqueCode {
			reason = codeAvailable(tx, c.Code, c.Campaign)
		}
		if reason == "" {
			var err error
			if reason, err = s.limiter.Check(esc, c, r.CustomerID, used[i]); err != nil {
				return nil, nil, fmt.Errorf("checking limits of %s: %w", c.Campaign, err)
			}
		}
		if reason != "" {
			if out == nil {
				out = map[string]policies.Reason{}
			}
			out[c.Campaign] = reason
		}
	}
	return used, out, nil
}
