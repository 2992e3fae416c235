package cluster

import (
	"fmt"
	"time"

	"github.com/promoedge/promoedge/cluster/internal/wire"
	"github.com/promoedge/promoedge/policies/store"
)

// A kCodes message carries chunks of the sender's code log (read typed
// from its store, store.CodeLog), each encoded here: seq, campaign, max
// uses, creation time (unix nanoseconds), then the codes, each as a
// length-prefixed string. The receiver parses them and hands them to its
// store (store.ApplyCodes), which checks the codes themselves.

// appendCodeChunk appends ch's wire form to b.
func appendCodeChunk(b []byte, ch *store.CodeChunk) []byte {
	b = wire.AppendUvarint(b, ch.Seq)
	b = wire.AppendString(b, ch.Campaign)
	b = wire.AppendVarint(b, ch.MaxUses)
	b = wire.AppendVarint(b, ch.CreatedAt.UnixNano())
	b = wire.AppendUvarint(b, uint64(len(ch.Codes)))
	for _, c := range ch.Codes {
		b = wire.AppendString(b, c)
	}
	if ch.Owner != "" || len(ch.Marks) > 0 { // a referral code's referrer: only when set, so older nodes' chunks read as before
		b = wire.AppendString(b, ch.Owner)
		b = wire.AppendString(b, ch.OwnerEmail)
	}
	if len(ch.Marks) > 0 { // customers' marks (registry.go), after them
		b = wire.AppendUvarint(b, uint64(len(ch.Marks)))
		for _, m := range ch.Marks {
			b = wire.AppendString(b, m.Customer)
			b = wire.AppendString(b, m.Redemption)
			b = wire.AppendVarint(b, m.At.UnixNano())
			b = wire.AppendString(b, m.Code)
			b = wire.AppendVarint(b, m.Points)
			undo := byte(0)
			if m.Undo {
				undo = 1
			}
			b = append(b, undo)
		}
	}
	return b
}

// parseCodeChunk reads appendCodeChunk's form; it never panics on hostile
// input.
func parseCodeChunk(b []byte) (*store.CodeChunk, error) {
	r := wire.NewReader(b)
	ch := &store.CodeChunk{Seq: r.Uvarint(), Campaign: r.String(), MaxUses: r.Varint()}
	ch.CreatedAt = time.Unix(0, r.Varint()).UTC()
	n := r.Count(1)
	if n > store.CodeChunkSize {
		return nil, fmt.Errorf("%w: code chunk of %d codes, at most %d", ErrBadMessage, n, store.CodeChunkSize)
	}
	ch.Codes = make([]string, 0, n)
	for range n {
		ch.Codes = append(ch.Codes, r.String())
	}
	if r.Err() == nil && r.Len() > 0 {
		ch.Owner, ch.OwnerEmail = r.String(), r.String()
	}
	if r.Err() == nil && r.Len() > 0 {
		n := r.Count(4)
		if n > store.CodeChunkSize {
			return nil, fmt.Errorf("%w: code chunk of %d marks, at most %d", ErrBadMessage, n, store.CodeChunkSize)
		}
		ch.Marks = make([]store.Mark, 0, n)
		for range n {
			m := store.Mark{Customer: r.String(), Redemption: r.String(), At: time.Unix(0, r.Varint()).UTC(), Code: r.String(), Points: r.Varint(), Undo: r.Byte() == 1}
			ch.Marks = append(ch.Marks, m)
		}
	}
	switch {
	case r.Err() != nil:
		return nil, fmt.Errorf("%w: code chunk: %v", ErrBadMessage, r.Err())
	case r.Len() != 0:
		return nil, fmt.Errorf("%w: code chunk: %d bytes left over", ErrBadMessage, r.Len())
	}
	return ch, nil
}
