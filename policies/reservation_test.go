package policies_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

func TestTTLSeconds(t *testing.T) {
	for _, tc := range []struct {
		body string
		want time.Duration
		bad  bool
	}{
		{`{}`, 900 * time.Second, false},
		{`{"ttl_seconds":1}`, time.Second, false},
		{`{"ttl_seconds":604800}`, 604800 * time.Second, false},
		{`{"ttl_seconds":0}`, 0, true},
		{`{"ttl_seconds":-5}`, 0, true},
		{`{"ttl_seconds":604801}`, 0, true},
		{`{"ttl_seconds":1.5}`, 0, true},
		{`{"ttl_seconds":1e3}`, 0, true},
		{`{"ttl_seconds":"60"}`, 0, true},
		{`{"ttl_seconds":null}`, 0, true},
		{`{"ttl_seconds":99999999999999999999999}`, 0, true},
	} {
		req, err := policies.DecodeRequest([]byte(strings.TrimSuffix(tc.body, "}")+pad(tc.body)+`"cart":{"currency":"USD","items":[]}}`), time.Now())
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		got, err := policies.TTLSeconds(req.Input)
		var re *policies.RequestError
		if tc.bad != (err != nil) || got != tc.want || (err != nil && (!errors.As(err, &re) || re.Field() != "ttl_seconds")) {
			t.Errorf("%s: %v %v", tc.body, got, err)
		}
	}
}

func pad(body string) string {
	if body == "{}" {
		return ""
	}
	return ","
}

// FuzzReservationNode: any id, from a client, parses without panicking,
// and an id made with a node name names it back.
func FuzzReservationNode(f *testing.F) {
	for _, s := range []string{"", "rs_", "rs_0123.6e31", "rs_x.zz", "rd_123", "rs_1." + hex.EncodeToString([]byte("node-1"))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		node := policies.ReservationNode(id)
		if node != "" && !strings.HasPrefix(id, "rs_") {
			t.Fatalf("%q names node %q", id, node)
		}
	})
}

func TestReservationNode(t *testing.T) {
	for id, want := range map[string]string{
		"rs_0000000000000001aaaaaaaaaaaa." + hex.EncodeToString([]byte("n1")): "n1",
		"rs_0000000000000001aaaaaaaaaaaa":                                     "",
		"rd_0000000000000001aaaaaaaaaaaa.6e31":                                "",
		"rs_1.not-hex":                                                        "",
	} {
		if got := policies.ReservationNode(id); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
}
