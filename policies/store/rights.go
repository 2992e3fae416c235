package store

import (
	"encoding/binary"
	"strings"

	"github.com/promoedge/promoedge/policies"
)

// rightsKey is k as stored: campaign \x00 kind, for a code's uses
// campaign \x00 code \x00 kind, for a period's campaign \x00 period \x00
// kind.
func rightsKey(k policies.RightsKey) []byte {
	b := make([]byte, 0, len(k.Campaign)+len(k.Code)+len(k.Period)+3)
	b = append(b, k.Campaign...)
	switch {
	case k.Kind == policies.LimitCode:
		b = append(b, 0)
		b = append(b, k.Code...)
	case k.IsPeriod():
		b = append(b, 0)
		b = append(b, k.Period...)
	}
	return append(b, 0, byte(k.Kind))
}

func parseRightsKey(b []byte) (policies.RightsKey, bool) {
	if len(b) < 2 || b[len(b)-2] != 0 {
		return policies.RightsKey{}, false
	}
	k := policies.RightsKey{Campaign: string(b[:len(b)-2]), Kind: policies.LimitKind(b[len(b)-1])}
	switch {
	case k.Kind == policies.LimitCode:
		k.Campaign, k.Code, _ = strings.Cut(k.Campaign, "\x00")
	case k.IsPeriod():
		k.Campaign, k.Period, _ = strings.Cut(k.Campaign, "\x00")
	}
	return k, true
}

// Rights implements policies.Escrow. A code generated here with no rights
// written holds its uses not spent here: they are minted with the code,
// in the transaction that writes it. A code learnt from another node
// (Origin set), or of another campaign, holds none until some are moved
// here.
func (f *FleetTx) Rights(k policies.RightsKey) policies.Rights {
	raw := f.tx.Bucket(bRights).Get(rightsKey(k))
	if len(raw) == 16 {
		return policies.Rights{Held: int64(binary.BigEndian.Uint64(raw)), Consumed: int64(binary.BigEndian.Uint64(raw[8:]))}
	}
	if k.Kind != policies.LimitCode {
		return policies.Rights{}
	}
	c, err := getCode(f.tx, k.Code)
	if err != nil || c.Origin != "" || c.Campaign != k.Campaign {
		return policies.Rights{}
	}
	return policies.Rights{Held: max(0, c.MaxUses-c.Uses), Consumed: c.Uses}
}

// PutRights implements policies.Escrow.
func (f *FleetTx) PutRights(k policies.RightsKey, r policies.Rights) error {
	raw := make([]byte, 16)
	binary.BigEndian.PutUint64(raw, uint64(r.Held))
	binary.BigEndian.PutUint64(raw[8:], uint64(r.Consumed))
	return f.tx.Bucket(bRights).Put(rightsKey(k), raw)
}

// EachRights calls fn with every limit that has rights written, in key
// order, until fn returns an error.
func (f *FleetTx) EachRights(fn func(k policies.RightsKey, r policies.Rights) error) error {
	return f.tx.Bucket(bRights).ForEach(func(key, v []byte) error {
		k, ok := parseRightsKey(key)
		if !ok || len(v) != 16 {
			return nil
		}
		return fn(k, policies.Rights{Held: int64(binary.BigEndian.Uint64(v)), Consumed: int64(binary.BigEndian.Uint64(v[8:]))})
	})
}

// Minted is how much of limit k this node (the minter) has created.
func (f *FleetTx) Minted(k policies.RightsKey) int64 {
	return int64(getU64(f.tx.Bucket(bMinted).Get(rightsKey(k))))
}

// PutMinted records how much of k has been minted.
func (f *FleetTx) PutMinted(k policies.RightsKey, minted int64) error {
	return f.tx.Bucket(bMinted).Put(rightsKey(k), u64(uint64(minted)))
}
