package cluster

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/promoedge/promoedge/policies/stats"
)

// Stats is the fleet's campaign statistics (stats.Keeper): this node adds
// to its own rows in its file, and sends the rows it changed to every
// live peer (reliably: an experiment's sketches are larger than a
// gossip packet); each peer keeps the latest copy of every node's rows
// (merged by max, as every field only grows), and the fleet's value is
// the sum over nodes. A node that joins is sent every row this one keeps,
// its own and the copies of others', so it learns the rows of nodes that
// are down.
type Stats struct {
	*base
	mu    sync.Mutex
	dirty map[stats.Key]struct{}
}

var _ stats.Keeper = (*Stats)(nil)

// statsRow is a row as sent: whose it is.
type statsRow struct {
	Node string       `json:"node"`
	Key  stats.Key    `json:"key"`
	C    stats.Counts `json:"c"`
}

// statsChunkBytes bounds one message's rows (a row with sketches is up
// to 45 KB; one larger row goes alone).
const statsChunkBytes = 256 << 10

// Add implements stats.Keeper: the store adds, the next publish sends.
func (s *Stats) Add(ctx context.Context, deltas []stats.Delta) error {
	if err := s.st.Add(ctx, deltas); err != nil {
		return err
	}
	s.mu.Lock()
	for i := range deltas {
		s.dirty[deltas[i].Key] = struct{}{}
	}
	s.mu.Unlock()
	return nil
}

// Days implements stats.Keeper.
func (s *Stats) Days(ctx context.Context, campaign string, from, to stats.Day) ([]stats.Row, error) {
	return s.st.Days(ctx, campaign, from, to)
}

// Variants implements stats.Keeper.
func (s *Stats) Variants(ctx context.Context, campaign, phase string) ([]stats.Row, error) {
	return s.st.Variants(ctx, campaign, phase)
}

// publish sends the rows changed since the last publish to every live peer.
func (s *Stats) publish() {
	s.mu.Lock()
	if len(s.dirty) == 0 {
		s.mu.Unlock()
		return
	}
	keys := make([]stats.Key, 0, len(s.dirty))
	for k := range s.dirty {
		keys = append(keys, k)
	}
	clear(s.dirty)
	s.mu.Unlock()
	rows, err := s.st.Own(keys)
	if err != nil {
		s.log.Warn("reading stats to send", "err", err)
		return
	}
	out := make([]statsRow, len(rows))
	for i := range rows {
		out[i] = statsRow{Node: s.cfg.Name, Key: rows[i].Key, C: rows[i].Counts}
	}
	for _, to := range s.others() {
		s.sendRows(to, out)
	}
}

// sendAll sends node every row this one keeps.
func (s *Stats) sendAll(node string) {
	var out []statsRow
	err := s.st.EachStats(nil, func(owner string, r stats.Row) error {
		if owner == "" {
			owner = s.cfg.Name
		}
		if owner != node { // its own rows come from its own file
			out = append(out, statsRow{Node: owner, Key: r.Key, C: r.Counts})
		}
		return nil
	})
	if err != nil {
		s.log.Warn("reading stats to send", "err", err)
		return
	}
	s.sendRows(node, out)
}

// sendRows sends rows to node to as JSON lists of at most
// statsChunkBytes (one larger row goes alone), each row encoded once.
func (s *Stats) sendRows(to string, rows []statsRow) {
	batch := []byte{'['}
	flush := func() {
		if len(batch) == 1 {
			return
		}
		s.send(to, message{kind: kStats, node: s.cfg.Name, chunks: [][]byte{append(batch, ']')}})
		batch = []byte{'['}
	}
	for i := range rows {
		raw, err := json.Marshal(&rows[i])
		if err != nil {
			s.log.Warn("encoding stats", "err", err)
			continue
		}
		if len(batch)-1+len(raw) > statsChunkBytes {
			flush()
		}
		if len(batch) > 1 {
			batch = append(batch, ',')
		}
		batch = append(batch, raw...)
	}
	flush()
}

// receive keeps the rows a peer sent, but this node's own (which only it
// writes).
func (s *Stats) receive(m message) {
	if len(m.chunks) != 1 {
		return
	}
	var rows []statsRow
	if err := json.Unmarshal(m.chunks[0], &rows); err != nil {
		s.log.Debug("dropping malformed stats", "from", m.node, "err", err)
		return
	}
	byNode := map[string][]stats.Row{}
	for _, r := range rows {
		if r.Node != "" && r.Node != s.cfg.Name {
			byNode[r.Node] = append(byNode[r.Node], stats.Row{Key: r.Key, Counts: r.C})
		}
	}
	for node, rs := range byNode {
		if err := s.st.MergeStats(node, rs); err != nil {
			s.log.Warn("keeping stats", "from", m.node, "err", err)
		}
	}
}
