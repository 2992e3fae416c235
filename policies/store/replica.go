package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Generated codes are replicated to the other nodes of a cluster as a log
// of chunks: every generation call appends its codes here, in chunks of at
// most CodeChunkSize, numbered from 1 in the order they were committed.
// A node applies another node's chunks strictly in order and remembers,
// per source file, the last one it applied, so a chunk is applied once
// however often it is sent, and a node that was away catches up from
// where it stopped.
var (
	bCodeLog     = []byte("code_log")     // seq (8) -> CodeChunk, codes made here
	bCodeSources = []byte("code_sources") // source file id -> last seq applied (8)
)

// CodeChunkSize bounds the codes of one log chunk (one cluster message).
const CodeChunkSize = 10_000

// CodeChunk is one piece of the code log: codes of one campaign made in one
// generation call.
type CodeChunk struct {
	Seq       uint64
	Campaign  string
	MaxUses   int64
	CreatedAt time.Time
	Codes     []string
	// Owner and OwnerEmail are a referral code's referrer (a chunk of one
	// code); "" for generated codes. They follow the codes in both
	// encodings, only when set, so older chunks read as before.
	Owner, OwnerEmail string
	// Marks are what a fleet shares of customers (referrals.go): a chunk
	// of marks has no campaign and no codes. They follow Owner and
	// OwnerEmail in both encodings, only when there are some.
	Marks []Mark
}

// Mark is one fact about a customer that a fleet's nodes share, so that
// "a new customer, never referred" (SPEC §9) is decided on every node's
// records: the customer's first redemption on the node that logged it,
// a referral of them, or that referral's rollback.
type Mark struct {
	Customer   string
	Redemption string
	At         time.Time
	Code       string // the referral code that referred them; "": their first redemption
	Points     int64  // what the referrer was credited (a referral)
	Undo       bool   // the referral was rolled back
}

// ErrBadChunk is a replicated chunk that cannot be applied as sent.
var ErrBadChunk = errors.New("store: bad code chunk")

// logCodes appends codes (sorted) to the code log in chunks.
func logCodes(tx *bolt.Tx, campaign string, codes []string, now time.Time) error {
	return logCodesAs(tx, CodeChunk{Campaign: campaign, MaxUses: 1, CreatedAt: now}, codes)
}

// logCodesAs is logCodes with the chunks' fields as in proto.
func logCodesAs(tx *bolt.Tx, proto CodeChunk, codes []string) error {
	meta, log := tx.Bucket(bMeta), tx.Bucket(bCodeLog)
	seq := getU64(meta.Get([]byte("code_seq")))
	for len(codes) > 0 {
		n := min(len(codes), CodeChunkSize)
		seq++
		ch := proto
		ch.Seq, ch.Codes = seq, codes[:n]
		if err := log.Put(u64(seq), appendRecord(nil, &ch)); err != nil {
			return err
		}
		codes = codes[n:]
	}
	return meta.Put([]byte("code_seq"), u64(seq))
}

// logMark appends a chunk of one mark to the code log.
func logMark(tx *bolt.Tx, m Mark) error {
	meta := tx.Bucket(bMeta)
	seq := getU64(meta.Get([]byte("code_seq"))) + 1
	ch := CodeChunk{Seq: seq, CreatedAt: m.At, Marks: []Mark{m}}
	if err := tx.Bucket(bCodeLog).Put(u64(seq), appendRecord(nil, &ch)); err != nil {
		return err
	}
	return meta.Put([]byte("code_seq"), u64(seq))
}

// CodeSeq is the number of the last chunk of codes made here (0: none).
func (s *Store) CodeSeq() uint64 {
	var seq uint64
	_ = s.db.View(func(tx *bolt.Tx) error {
		seq = getU64(tx.Bucket(bMeta).Get([]byte("code_seq")))
		return nil
	})
	return seq
}

// CodeLog reads up to max chunks of codes made here, after seq, in order,
// fewer when they hold over CodeChunkSize codes and marks together (at
// least one chunk): many small chunks of marks go in one answer, and a
// few big chunks of codes do.
func (s *Store) CodeLog(after uint64, max int) ([]*CodeChunk, error) {
	var out []*CodeChunk
	items := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bCodeLog).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < max; k, v = c.Next() {
			ch, err := parseRecord(v)
			if err != nil {
				return err
			}
			if items += len(ch.Codes) + len(ch.Marks); len(out) > 0 && items > CodeChunkSize {
				break
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// AppliedSeq is the last chunk applied from source (a file id).
func (s *Store) AppliedSeq(source string) uint64 {
	var seq uint64
	_ = s.db.View(func(tx *bolt.Tx) error {
		seq = getU64(tx.Bucket(bCodeSources).Get([]byte(source)))
		return nil
	})
	return seq
}

// ApplyCodes stores the codes of another node's chunk, made by origin (a
// node name) in the file source, if it is the next chunk from that file.
// The codes are stored with Origin set: this node holds none of their
// uses until they are moved here. A code that already exists here (made
// here or by another node at the same time) is kept as it is and counted
// in clashes. applied is false for a chunk out of order or seen before.
func (s *Store) ApplyCodes(origin, source string, ch *CodeChunk) (applied bool, clashes int, err error) {
	if err := ch.validate(); err != nil {
		return false, 0, err
	}
	if origin == "" || source == "" {
		return false, 0, fmt.Errorf("%w: no origin", ErrBadChunk)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		sources := tx.Bucket(bCodeSources)
		if getU64(sources.Get([]byte(source))) != ch.Seq-1 {
			return nil
		}
		for _, m := range ch.Marks {
			if err := applyMark(tx, m); err != nil { // referrals.go
				return err
			}
		}
		b := tx.Bucket(bCodes)
		for _, code := range ch.Codes {
			if b.Get([]byte(code)) != nil {
				clashes++
				continue
			}
			if ch.Owner != "" { // a referral code: its referrer with it
				c := &policies.Code{Code: code, Campaign: ch.Campaign, State: policies.CodeStateActive, MaxUses: ch.MaxUses,
					Owner: ch.Owner, OwnerEmail: ch.OwnerEmail, Referral: true, Origin: origin, CreatedAt: ch.CreatedAt}
				if err := putCode(tx, c); err != nil {
					return err
				}
				if err := learnReferrer(tx, c); err != nil { // referrals.go
					return err
				}
				continue
			}
			if err := b.Put([]byte(code), encodeNewCode(code, ch.Campaign, origin, ch.MaxUses, ch.CreatedAt)); err != nil {
				return err
			}
		}
		applied = true
		return sources.Put([]byte(source), u64(ch.Seq))
	})
	if err != nil {
		return false, 0, fmt.Errorf("store: applying codes %s/%d: %w", source, ch.Seq, err)
	}
	return applied, clashes, nil
}

func (ch *CodeChunk) validate() error {
	if len(ch.Marks) > 0 {
		return ch.validateMarks()
	}
	switch {
	case ch.Seq == 0:
		return fmt.Errorf("%w: sequence 0", ErrBadChunk)
	case ch.Campaign == "":
		return fmt.Errorf("%w: no campaign", ErrBadChunk)
	case ch.MaxUses < 1:
		return fmt.Errorf("%w: max_uses %d", ErrBadChunk, ch.MaxUses)
	case len(ch.Codes) > CodeChunkSize:
		return fmt.Errorf("%w: %d codes, at most %d", ErrBadChunk, len(ch.Codes), CodeChunkSize)
	}
	for _, c := range ch.Codes {
		if !policies.ValidCode(c) {
			return fmt.Errorf("%w: code %q", ErrBadChunk, c)
		}
	}
	return nil
}

// migrateCodeLog (schema 1 to 2) writes the code log for codes generated
// before there was one, a campaign at a time, so other nodes learn them.
func migrateCodeLog(tx *bolt.Tx) error {
	for _, name := range [][]byte{bCodeLog, bCodeSources} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	byCampaign := map[string][]string{}
	var order []string
	err := tx.Bucket(bCodes).ForEach(func(k, _ []byte) error {
		c, err := getCode(tx, string(k))
		if err != nil {
			return err
		}
		if c.Origin == "" {
			if _, ok := byCampaign[c.Campaign]; !ok {
				order = append(order, c.Campaign)
			}
			byCampaign[c.Campaign] = append(byCampaign[c.Campaign], c.Code)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, campaign := range order {
		if err := logCodes(tx, campaign, byCampaign[campaign], time.Now().UTC()); err != nil {
			return err
		}
	}
	return nil
}

// appendRecord is a chunk's record in the code log: seq, campaign, max
// uses, creation time (unix nanoseconds), then the codes, each as a
// length-prefixed string, in varints. The format is the store's own: the
// cluster reads the chunks typed (CodeLog) and encodes its messages itself.
func appendRecord(b []byte, ch *CodeChunk) []byte {
	b = binary.AppendUvarint(b, ch.Seq)
	b = appendString(b, ch.Campaign)
	b = binary.AppendVarint(b, ch.MaxUses)
	b = binary.AppendVarint(b, ch.CreatedAt.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(ch.Codes)))
	for _, c := range ch.Codes {
		b = appendString(b, c)
	}
	if ch.Owner != "" || len(ch.Marks) > 0 {
		b = appendString(b, ch.Owner)
		b = appendString(b, ch.OwnerEmail)
	}
	if len(ch.Marks) > 0 {
		b = binary.AppendUvarint(b, uint64(len(ch.Marks)))
		for _, m := range ch.Marks {
			b = appendString(b, m.Customer)
			b = appendString(b, m.Redemption)
			b = binary.AppendVarint(b, m.At.UnixNano())
			b = appendString(b, m.Code)
			b = binary.AppendVarint(b, m.Points)
			b = append(b, boolByte(m.Undo))
		}
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// parseRecord reads appendRecord's form back.
func parseRecord(b []byte) (*CodeChunk, error) {
	r := record{b: b}
	ch := &CodeChunk{Seq: r.uvarint(), Campaign: r.string(), MaxUses: r.varint()}
	ch.CreatedAt = time.Unix(0, r.varint()).UTC()
	n := r.uvarint()
	if n > CodeChunkSize {
		return nil, fmt.Errorf("store: code log chunk %d is corrupt: %d codes", ch.Seq, n)
	}
	ch.Codes = make([]string, 0, n)
	for range n {
		ch.Codes = append(ch.Codes, r.string())
	}
	if len(r.b) > 0 && !r.short {
		ch.Owner, ch.OwnerEmail = r.string(), r.string()
	}
	if len(r.b) > 0 && !r.short {
		n := r.uvarint()
		if n > CodeChunkSize {
			return nil, fmt.Errorf("store: code log chunk %d is corrupt: %d marks", ch.Seq, n)
		}
		ch.Marks = make([]Mark, 0, n)
		for range n {
			m := Mark{Customer: r.string(), Redemption: r.string(), At: time.Unix(0, r.varint()).UTC(), Code: r.string(), Points: r.varint(), Undo: r.byte() == 1}
			ch.Marks = append(ch.Marks, m)
		}
	}
	if r.short || len(r.b) != 0 {
		return nil, fmt.Errorf("store: code log chunk %d is corrupt", ch.Seq)
	}
	return ch, nil
}
