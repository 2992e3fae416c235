package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// The ledger's hand-written encoding is encoding/json's, byte for byte.
func TestWalletTxEncodingMatchesJSON(t *testing.T) {
	times := []time.Time{
		time.Unix(0, 0).UTC(),
		time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 12, 0, 0, 120_000, time.UTC),
		time.Unix(0, 1<<62+123).UTC(),
		time.Unix(0, -1<<62).UTC(),
		time.Date(2026, 3, 1, 12, 0, 0, 1, time.FixedZone("x", 3600)),
	}
	sources := []string{"", "r_1 five-off", "lot 12", `quote " and \ back`, "<html>&amp;", "tab\there\nnl", "café ✓", "\xff\xfe bad utf8", "\u2028 sep", "\x7f del"}
	kinds := []policies.TxKind{policies.TxEarn, policies.TxReward, policies.TxRollback, `odd"kind`}
	for _, at := range times {
		for _, src := range sources {
			for _, k := range kinds {
				for _, n := range []int64{0, -500, 1 << 40, -1 << 62} {
					wt := &policies.WalletTx{ID: "wt_42", At: at, Kind: k, Points: n, Balance: -n + 7, Source: src}
					want, werr := json.Marshal(wt)
					got, gerr := encodeWalletTx(wt)
					if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
						t.Fatalf("%+v:\n got %s (%v)\nwant %s (%v)", wt, got, gerr, want, werr)
					}
				}
			}
		}
	}
}
