package store

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// encodeWalletTx is json.Marshal(wt), byte for byte, without reflection:
// the commit loop writes one for every change of a wallet.
func encodeWalletTx(wt *policies.WalletTx) ([]byte, error) {
	b := make([]byte, 0, 96+len(wt.ID)+len(wt.Kind)+len(wt.Source))
	b = append(b, `{"id":`...)
	b = appendJSONString(b, wt.ID)
	b = append(b, `,"at":`...)
	if y := wt.At.Year(); y < 0 || y > 9999 {
		return json.Marshal(wt) // its error, as json gives it
	}
	b = append(b, '"')
	b = wt.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","kind":`...)
	b = appendJSONString(b, string(wt.Kind))
	b = append(b, `,"points":`...)
	b = strconv.AppendInt(b, wt.Points, 10)
	b = append(b, `,"balance":`...)
	b = strconv.AppendInt(b, wt.Balance, 10)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, wt.Source)
	return append(b, '}'), nil
}

// appendJSONString appends s as encoding/json quotes it: as is when it is
// plain printable ASCII, through encoding/json otherwise (escapes, HTML
// characters, invalid UTF-8).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
