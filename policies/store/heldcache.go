package store

import (
	"sync"
	"sync/atomic"

	"github.com/promoedge/promoedge/policies"
)

// maxHeldCache bounds the reservations whose records heldCache keeps
// (a few hundred bytes each).
const maxHeldCache = 1 << 14

// heldCache keeps the records of reservations made since the file opened
// while they are held, so that reading one to commit it (the engine
// prices with it) costs no decoding. A held record never changes; an
// entry goes when its reservation stops being held, and one read a moment
// after that is still checked by the commit (its hold's index entry).
type heldCache struct {
	m sync.Map // id -> *policies.Redemption
	n atomic.Int64
}

func (c *heldCache) put(r *policies.Redemption) {
	if c.n.Load() >= maxHeldCache {
		return
	}
	if _, loaded := c.m.LoadOrStore(r.ID, r); !loaded {
		c.n.Add(1)
	}
}

// get is a copy of id's record (callers may change the copy's fields).
func (c *heldCache) get(id string) (*policies.Redemption, bool) {
	v, ok := c.m.Load(id)
	if !ok {
		return nil, false
	}
	r := *v.(*policies.Redemption)
	return &r, true
}

func (c *heldCache) drop(id string) {
	if _, loaded := c.m.LoadAndDelete(id); loaded {
		c.n.Add(-1)
	}
}
