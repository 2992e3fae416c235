package cluster

import (
	"fmt"
	"time"

	"github.com/promoedge/promoedge/cluster/internal/wire"
	"github.com/promoedge/promoedge/policies"
)

// kind is the first byte of every cluster message.
type kind byte

const (
	kUsage    kind = 1 // broadcast: one node's counters of one campaign
	kSwitch   kind = 2 // broadcast: a campaign's kill switch
	kRequest  kind = 3 // reliable: please give me rights of a limit
	kTransfer kind = 4 // reliable: rights of a limit, debited at the sender
	kAck      kind = 5 // reliable: transfer credited, forget it
	kDeny     kind = 6 // reliable: I hold none of that limit
	kPull     kind = 7 // reliable: send me your code chunks after seq (amount)
	kCodes    kind = 8 // reliable: one chunk of the sender's code log
	kCodeUse  kind = 9 // broadcast: a generated code was used up or given back (codeuse.go)
	// Wallets (wallets.go): campaign holds the customer id.
	kWalletAsk  kind = 10 // reliable: move me up to amount of this wallet
	kWalletMove kind = 11 // reliable: a wallet's lots, debited at the sender (one chunk)
	kWalletAck  kind = 12 // reliable: move credited, forget it
	kWalletNone kind = 13 // reliable: I hold none of this wallet (amount: mine in flight)
	// Campaign statistics (stats.go): chunks[0] is a JSON list of rows.
	kStats kind = 40 // reliable: nodes' statistics rows, the latest the sender has
	// Wallet reads (walletview.go): id names the read.
	kWalletPeek  kind = 14 // reliable: your share of this wallet as of amount (unix ns), tier window c.Spent (ns); c.Redemptions 1: and the card's ledger
	kWalletShare kind = 15 // reliable: my share, JSON policies.Balances in one chunk (and the card's ledger, JSON, in a second)
	// kWalletSum is a broadcast, encoded as kUsage: the sender's share of
	// the wallet of customer campaign, c.Redemptions its balance,
	// c.Spent pending, c.HeldCount earned, c.Version when read (walletshares.go).
	kWalletSum kind = 16
	// Triggers (triggers.go).
	kTriggerCancel kind = 17 // reliable: an event that cancels its customer's scheduled triggers
	// Reservations (reservations.go), a block of their own: id is the request's, campaign the
	// operation, chunks the reservation id and body (the answer).
	kReserveAsk    kind = 50 // reliable: run this on a reservation you made
	kReserveAnswer kind = 51 // reliable: its HTTP status (amount) and answer
	// Referral claims (registry.go): campaign is the claim's name
	// (policies.FriendClaim, ReferrerClaim), id the claim's.
	kClaim   kind = 60 // reliable: grant me this claim
	kClaimed kind = 61 // reliable: granted (amount 1) or not; chunks: the referrer's code here
	kUnclaim kind = 62 // reliable: forget my claim
)

// Limit kinds: the two cluster-wide limits of a campaign.
const (
	limitCount  byte = 'n' // limits.redemptions
	limitBudget byte = 'b' // limits.budget
	limitCode   byte = 'c' // the uses of one generated code (codes.go)
	limitWallet byte = 'w' // a customer's wallet points, in the answers kept (wallets.go)
	// A campaign's per-period limits in one period (periods.go).
	limitPeriodCount  byte = 'N' // limits.per_period.redemptions
	limitPeriodBudget byte = 'B' // limits.per_period.budget
)

// limitKey names one cluster-wide limit.
type limitKey struct {
	Campaign string
	Limit    byte // limitCount, limitBudget or limitCode
}

// counters is one node's register for one campaign in the usage CRDT: what
// that node used and the rights it holds. Only the node itself writes it;
// Version orders its writes.
type counters struct {
	Version     uint64
	Redemptions int64 // redemptions taken on that node
	Spent       int64 // discount given on that node
	HeldCount   int64 // rights of limits.redemptions it holds
	HeldBudget  int64 // rights of limits.budget it holds
}

// switchState is a last-writer-wins register: a campaign's kill switch, or
// a code-use hint (Disabled: used up).
type switchState = policies.Switch

// message is every cluster message; kind says which fields are used.
type message struct {
	kind     kind
	node     string // origin (usage) or sender
	campaign string
	limit    byte
	id       string   // transfer id; the sender's file id (kPull, kCodes)
	chunks   [][]byte // code chunks (codechunk.go), in order (kCodes)
	amount   int64    // wanted, transferred or held
	c        counters
	s        switchState
	cancel   *policies.TriggerCancel // kTriggerCancel
}

func (m *message) key() limitKey { return limitKey{m.campaign, m.limit} }

// encode appends m to b.
func (m *message) encode(b []byte) []byte {
	b = append(b, byte(m.kind))
	b = wire.AppendString(b, m.node)
	switch m.kind {
	case kUsage, kWalletSum:
		b = wire.AppendString(b, m.campaign)
		b = wire.AppendUvarint(b, m.c.Version)
		for _, v := range []int64{m.c.Redemptions, m.c.Spent, m.c.HeldCount, m.c.HeldBudget} {
			b = wire.AppendVarint(b, v)
		}
	case kSwitch, kCodeUse:
		b = wire.AppendString(b, m.campaign)
		d := byte(0)
		if m.s.Disabled {
			d = 1
		}
		b = append(b, d)
		b = wire.AppendUvarint(b, m.s.Stamp)
		b = wire.AppendString(b, m.s.Node)
	case kRequest, kDeny:
		b = wire.AppendString(b, m.campaign)
		b = append(b, m.limit)
		b = wire.AppendVarint(b, m.amount)
	case kTransfer:
		b = wire.AppendString(b, m.id)
		b = wire.AppendString(b, m.campaign)
		b = append(b, m.limit)
		b = wire.AppendVarint(b, m.amount)
	case kAck, kWalletAck:
		b = wire.AppendString(b, m.id)
	case kWalletAsk, kWalletNone:
		b = wire.AppendString(b, m.campaign)
		b = wire.AppendVarint(b, m.amount)
	case kPull:
		b = wire.AppendString(b, m.id)
		b = wire.AppendVarint(b, m.amount)
	case kWalletPeek:
		b = wire.AppendString(b, m.id)
		b = wire.AppendString(b, m.campaign)
		b = wire.AppendVarint(b, m.amount)
		b = wire.AppendVarint(b, m.c.Spent)
		if m.c.Redemptions != 0 { // a card's read with its ledger (walletview.go); older nodes send none
			b = wire.AppendVarint(b, m.c.Redemptions)
		}
	case kTriggerCancel:
		c := m.cancel
		for _, f := range []string{c.Event, c.Type, c.Customer, c.Cart} {
			b = wire.AppendString(b, f)
		}
		b = wire.AppendVarint(b, c.At.UnixNano())
	case kReserveAsk, kReserveAnswer, kClaim, kClaimed, kUnclaim:
		b = wire.AppendString(b, m.id)
		b = wire.AppendString(b, m.campaign)
		b = wire.AppendVarint(b, m.amount)
		b = appendChunks(b, m.chunks)
	case kCodes, kWalletMove, kWalletShare, kStats:
		b = wire.AppendString(b, m.id)
		b = appendChunks(b, m.chunks)
	}
	return b
}

// decode parses one message; it never panics on hostile input.
func decode(b []byte) (message, error) {
	r := wire.NewReader(b)
	m := message{kind: kind(r.Byte())}
	m.node = r.String()
	switch m.kind {
	case kUsage, kWalletSum:
		m.campaign = r.String()
		m.c.Version = r.Uvarint()
		m.c.Redemptions, m.c.Spent, m.c.HeldCount, m.c.HeldBudget = r.Varint(), r.Varint(), r.Varint(), r.Varint()
	case kSwitch, kCodeUse:
		m.campaign = r.String()
		m.s.Disabled = r.Byte() == 1
		m.s.Stamp = r.Uvarint()
		m.s.Node = r.String()
	case kRequest, kDeny:
		m.campaign = r.String()
		m.limit = r.Byte()
		m.amount = r.Varint()
	case kTransfer:
		m.id = r.String()
		m.campaign = r.String()
		m.limit = r.Byte()
		m.amount = r.Varint()
	case kAck, kWalletAck:
		m.id = r.String()
	case kWalletAsk, kWalletNone:
		m.campaign = r.String()
		m.amount = r.Varint()
	case kPull:
		m.id = r.String()
		m.amount = r.Varint()
	case kWalletPeek:
		m.id = r.String()
		m.campaign = r.String()
		m.amount = r.Varint()
		m.c.Spent = r.Varint()
		if r.Err() == nil && r.Len() > 0 {
			m.c.Redemptions = r.Varint()
		}
	case kTriggerCancel:
		m.cancel = &policies.TriggerCancel{Event: r.String(), Type: r.String(), Customer: r.String(), Cart: r.String()}
		m.cancel.At = time.Unix(0, r.Varint()).UTC()
	case kReserveAsk, kReserveAnswer, kClaim, kClaimed, kUnclaim:
		m.id = r.String()
		m.campaign = r.String()
		m.amount = r.Varint()
		m.chunks = readChunks(r)
	case kCodes, kWalletMove, kWalletShare, kStats:
		m.id = r.String()
		m.chunks = readChunks(r)
	default:
		if r.Err() == nil {
			return m, fmt.Errorf("%w: kind %d", ErrBadMessage, m.kind)
		}
	}
	if r.Err() != nil {
		return m, fmt.Errorf("%w: %v", ErrBadMessage, r.Err())
	}
	if (m.kind == kRequest || m.kind == kDeny || m.kind == kTransfer) && m.limit != limitCount && m.limit != limitBudget && m.limit != limitCode && !isPeriodLimit(m.limit) {
		return m, fmt.Errorf("%w: limit %q", ErrBadMessage, m.limit)
	}
	if m.kind == kTriggerCancel && (m.cancel.Customer == "" || m.cancel.Type == "") {
		return m, fmt.Errorf("%w: a trigger cancellation without customer or type", ErrBadMessage)
	}
	if m.kind == kTransfer && m.amount <= 0 {
		return m, fmt.Errorf("%w: transfer of %d", ErrBadMessage, m.amount)
	}
	return m, nil
}

// appendChunks and readChunks are a message's chunks: a count, then each
// with its length.
func appendChunks(b []byte, chunks [][]byte) []byte {
	b = wire.AppendUvarint(b, uint64(len(chunks)))
	for _, c := range chunks {
		b = wire.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
	}
	return b
}

func readChunks(r *wire.Reader) [][]byte {
	var chunks [][]byte
	for range r.Count(1) {
		chunks = append(chunks, r.Bytes())
	}
	return chunks
}

// encodeState is the push/pull form: a list of messages.
func encodeState(msgs []message) []byte {
	b := wire.AppendUvarint(nil, uint64(len(msgs)))
	var one []byte
	for i := range msgs {
		one = msgs[i].encode(one[:0])
		b = wire.AppendUvarint(b, uint64(len(one)))
		b = append(b, one...)
	}
	return b
}

// decodeState parses encodeState's output.
func decodeState(b []byte) ([]message, error) {
	r := wire.NewReader(b)
	n := r.Count(2)
	out := make([]message, 0, n)
	for range n {
		raw := r.Bytes()
		if r.Err() != nil {
			break
		}
		m, err := decode(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if r.Err() != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadMessage, r.Err())
	}
	return out, nil
}
