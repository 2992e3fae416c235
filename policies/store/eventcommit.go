package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Events commit in groups, as redemptions do: one goroutine takes every
// event queued while the previous transaction was committing and commits
// them in one transaction (one fsync). An event whose work fails is
// committed again alone, so that it fails alone.

// maxEventGroup bounds the events of one transaction.
const maxEventGroup = 256

type eventReq struct {
	fn   func(tx *bolt.Tx) error // must be safe to run again on a new transaction
	done chan error
}

// updateEvent runs fn in a write transaction shared with other events.
func (s *Store) updateEvent(fn func(tx *bolt.Tx) error) error {
	req := &eventReq{fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	s.events <- req
	s.mu.RUnlock()
	return <-req.done
}

func (s *Store) eventLoop() {
	defer close(s.evDone)
	group := make([]*eventReq, 0, maxEventGroup)
	for {
		select {
		case first := <-s.events:
			group = append(group[:0], first)
		more:
			for len(group) < maxEventGroup {
				select {
				case req := <-s.events:
					group = append(group, req)
				default:
					break more
				}
			}
			s.commitEvents(group)
		case <-s.stop:
			for { // Close refuses new events first: what is queued is all
				select {
				case req := <-s.events:
					s.commitEvents([]*eventReq{req})
				default:
					return
				}
			}
		}
	}
}

func (s *Store) commitEvents(group []*eventReq) {
	failed := -1
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i, req := range group {
			if err := req.fn(tx); err != nil {
				failed = i
				return err
			}
		}
		return nil
	})
	switch {
	case err == nil:
		for _, req := range group {
			req.done <- nil
		}
	case len(group) == 1:
		group[0].done <- err
	case failed < 0:
		err = fmt.Errorf("store: committing events: %w", err)
		for _, req := range group {
			req.done <- err
		}
	default:
		for _, req := range group {
			s.commitEvents([]*eventReq{req})
		}
	}
}
