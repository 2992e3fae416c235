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
				n.rights.grant(m)
			case kTransfer:
				n.rights.credit(m)
			case kAck:
				n.rights.acknowledged(m.id)
			case kSwitch:
				n.mergeGossip(m, true)
			case kPull:
				n.codes.sendChunks(m)
			case kStats:
				n.stats.receive(m)
			case kCodes:
				n.codes.applyChunks(m)
			case kWalletAsk:
				n.rights.giveWallet(m)
			case kWalletMove:
				n.rights.takeWallet(m)
			case kWalletNone:
				n.rights.xfer.denied(limitKey{m.campaign, limitWallet}, m.node, m.amount)
			case kWalletPeek:
				n.rights.shareWallet(m)
			case kWalletShare:
				n.rights.sharedWallet(m)
			case kTriggerCancel:
				n.cancelTriggers(m) // triggers.go
			case kClaim:
				n.registry.serve(m) // registry.go
			case kClaimed:
				n.registry.answered(m)
			case kUnclaim:
				n.registry.unhold(m.campaign, m.node, m.id)
			case kReserveAsk:
				n.reservations.serve(m)
			case kReserveAnswer:
				n.reservations.answered(m)
			case kWalletAck:
				_ = n.st.MoveAcked(m.id) // if it fails, the move is resent and acknowledged again
			case kDeny:
				n.usage.table.forget(m.key(), m.node)
				n.rights.xfer.denied(m.key(), m.node, m.amount)
			}
		}
	}
}
