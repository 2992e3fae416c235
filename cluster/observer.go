package cluster

import "time"

// Observer is told what a node does with rights, for metrics; a Config
// without one tells no one. Calls come from the node's own goroutines and
// from redemptions waiting for rights, never while a bbolt transaction is
// open, and must return quickly.
type Observer interface {
	// Transferred: rights of one limit left this node (Out, a grant or the
	// hand-off of a node that leaves) or arrived (In, credited once).
	Transferred(dir Direction, rights int64)
	// Waited: a redemption found too few rights here and waited d for
	// others to send some; got reports whether they came in time.
	Waited(d time.Duration, got bool)
	// CodesLearnt: codes generated on another node were stored here;
	// clashes were already here (made here or elsewhere at the same time)
	// and kept as they were.
	CodesLearnt(codes, clashes int)
}

// Direction is which way a transfer of rights went.
type Direction string

// Directions of a transfer.
const (
	Out Direction = "out"
	In  Direction = "in"
)

// noObserver is the Observer of a Config without one.
type noObserver struct{}

func (noObserver) Transferred(Direction, int64) {}
func (noObserver) Waited(time.Duration, bool)   {}
func (noObserver) CodesLearnt(int, int)         {}
