package cluster

// Reliable messages (memberlist's TCP channel): transfers of rights and
// their answers, switches, code replication. They are handled one at a
// time by inboundLoop, as each writes to the file before it answers.

// inboundLoop handles transfer messages one at a time: each writes to the
// file before it answers.
func (n *Node) inboundLoop() {
	for {
		select {
		case <-n.stop:
			return
		case m := <-n.inbound:
			switch m.kind {
			case kRequest:
				n.grant(m)
			case kTransfer:
				n.credit(m)
			case kAck:
				n.acknowledged(m.id)
			case kSwitch:
				n.mergeGossip(m, true)
			case kPull:
				n.sendChunks(m)
			case kCodes:
				n.applyChunks(m)
			case kDeny:
				n.usage.forget(m.key(), m.node)
				n.xfer.denied(m.key(), m.node, m.amount)
			}
		}
	}
}

// outMsg is a reliable message waiting for a sender.
type outMsg struct {
	to  string
	msg []byte
}

// send queues a reliable message to node; a full queue drops it (every
// reliable message is retried by whoever needs its effect).
func (n *Node) send(to string, m message) {
	select {
	case n.outbound <- outMsg{to: to, msg: m.encode(nil)}:
	default:
	}
}

func (n *Node) sendLoop() {
	for {
		select {
		case <-n.stop:
			return
		case o := <-n.outbound:
			nd, ok := n.peers.node(o.to)
			if !ok {
				continue
			}
			if err := n.ml.SendReliable(&nd, o.msg); err != nil {
				n.log.Debug("sending", "to", o.to, "err", err)
			}
		}
	}
}
