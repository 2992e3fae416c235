package cluster

import (
	"math/rand/v2"
	"time"
)

// reconnectLoop rejoins members that failed, as serf does: memberlist
// stops gossiping to a dead node after GossipToTheDeadTime, so the two
// halves of a long partition would otherwise stay apart after it heals.
// Each tick it tries one dead member at random, and when it finds itself
// alone the --join addresses and the members its file remembers
// (members.go).
func (n *Node) reconnectLoop() {
	tick := time.NewTicker(n.cfg.ReconnectInterval)
	defer tick.Stop()
	n.rejoinRemembered()
	for {
		select {
		case <-n.stop:
			return
		case <-tick.C:
		}
		if dead := n.peers.dead(); len(dead) > 0 {
			nd := dead[rand.IntN(len(dead))]
			if _, err := n.ml.Join([]string{nd.Address()}); err == nil {
				n.log.Info("rejoined", "peer", nd.Name)
			}
		}
		if addrs := n.rejoinAddrs(); n.ml.NumMembers() <= 1 && len(addrs) > 0 {
			_, _ = n.ml.Join(addrs)
		}
	}
}
