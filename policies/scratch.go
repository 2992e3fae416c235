package policies

import "sync"

// scratch is the working memory of one evaluation that its answer does
// not keep: the candidates, the rejections' ranks, the rule stage's
// lists. It goes back to scratchPool when the evaluation ends, so that a
// catalog's request reuses the slices a request before it grew instead of
// allocating them (hundreds of entries each); it holds no answer from one
// request to the next: release clears what points into a request.
type scratch struct {
	cands    []candidate
	ranks    []int32
	ruled    []*Campaign
	idx      []int
	verdicts []Verdict
	live     []*candidate
	keys     []ranked // sortRejections'
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxScratch bounds the entries a pooled scratch keeps (a request of a
// huge catalog does not pin its memory for good).
const maxScratch = 1 << 14

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// release returns s to the pool, emptied; its slices' contents are
// cleared so that the pool keeps no campaign, request or revision alive.
func (s *scratch) release() {
	if cap(s.cands) > maxScratch || cap(s.verdicts) > maxScratch {
		return
	}
	clear(s.cands[:cap(s.cands)])
	clear(s.ruled[:cap(s.ruled)])
	clear(s.verdicts[:cap(s.verdicts)])
	clear(s.live[:cap(s.live)])
	s.cands, s.ranks, s.ruled, s.idx, s.verdicts, s.live = s.cands[:0], s.ranks[:0], s.ruled[:0], s.idx[:0], s.verdicts[:0], s.live[:0]
	s.keys = s.keys[:0]
	scratchPool.Put(s)
}

// grow returns buf emptied with room for n entries, reusing its array
// when it is large enough.
func grow[T any](buf []T, n int) []T {
	if cap(buf) >= n {
		return buf[:0]
	}
	return make([]T, 0, n)
}
