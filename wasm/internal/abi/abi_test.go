package abi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInput(t *testing.T) {
	cases := []struct{ req, campaign, want string }{
		{`{}`, `{"a":1}`, `{"campaign":{"a":1}}`},
		{`{"cart":{"b":2,"a":[1,"x",null,true]}}`, `{}`, `{"cart":{"a":[1,"x",null,true],"b":2},"campaign":{}}`},
		{`{"campaign":"mine","z":1}`, `{"id":"c"}`, `{"z":1,"campaign":{"id":"c"}}`},
		{`{"s":"<a&b>\"\\\n\u0001\u2028é"}`, `{}`, `{"s":"\u003ca\u0026b\u003e\"\\\n\u0001\u2028é","campaign":{}}`},
	}
	for _, tc := range cases {
		in, err := NewInput(decode(t, tc.req))
		if err != nil {
			t.Fatal(err)
		}
		got := in.For(nil, []byte(tc.campaign))
		if string(got) != tc.want {
			t.Errorf("%s + %s:\ngot  %s\nwant %s", tc.req, tc.campaign, got, tc.want)
		}
		if !json.Valid(got) {
			t.Errorf("%s is not JSON", got)
		}
	}
}

func TestVerdict(t *testing.T) {
	cases := []struct{ out, want, err string }{
		{`{"eligible":true}`, `true [] []`, ""},
		{`{"eligible":false,"reasons":["b","a"]}`, `false [a b] []`, ""},
		{`{"eligible":true,"reasons":["ignored"],"effects":[{"type":"percent_off","percent":10}]}`, `true [] [percent_off]`, ""},
		{`{"eligible":true,"effects":[]}`, `true [] []`, ""},
		{`{"eligible":false,"reasons":[1,{"x":2}]}`, `false [1 {"x":2}] []`, ""},
		{` {"eligible":true} `, `true [] []`, ""},
		{`{"reasons":[]}`, "", `"eligible" (a boolean) is missing`},
		{`{"eligible":"yes"}`, "", `"eligible" must be a boolean`},
		{`{"eligible":false,"reasons":"no"}`, "", `"reasons" must be an array of strings`},
		{`{"eligible":true,"effects":{}}`, "", `"effects" must be an array of effects`},
		{`{"eligible":true,"effects":[{"type":"percent_of"}]}`, "", `invalid effects: effects[0].type`},
		{`hello`, "", `not JSON`},
		{`{"eligible":true}{}`, "", `data after the JSON object`},
		{``, "", `not JSON`},
	}
	for _, tc := range cases {
		v, err := Verdict([]byte(tc.out))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: got %v, want an error saying %s", tc.out, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.out, err)
			continue
		}
		var types []string
		for _, e := range v.Effects {
			types = append(types, string(e.Type))
		}
		got := strings.Join([]string{boolText(v.Eligible), "[" + strings.Join(v.Reasons, " ") + "]", "[" + strings.Join(types, " ") + "]"}, " ")
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.out, got, tc.want)
		}
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestPack(t *testing.T) {
	if p, n := Unpack(Pack(0xdeadbeef, 42)); p != 0xdeadbeef || n != 42 {
		t.Errorf("got %x %d", p, n)
	}
}

// FuzzVerdict: whatever a module answers, Verdict returns a verdict or an
// error wrapping ErrOutput, and never panics.
func FuzzVerdict(f *testing.F) {
	for _, s := range []string{`{"eligible":true}`, `{"eligible":false,"reasons":["x"]}`, `{"eligible":true,"effects":[{"type":"amount_off","amount":100}]}`, `[]`, `null`, `{"eligible":true,"effects":[{"type":"buy_x_get_y","buy":{"quantity":1},"get":{"quantity":1}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		v, err := Verdict(out)
		if err != nil {
			if !strings.Contains(err.Error(), ErrOutput.Error()) {
				t.Fatalf("error %v does not wrap ErrOutput", err)
			}
			return
		}
		if !v.Eligible && v.Effects != nil {
			t.Fatalf("effects on a verdict that is not eligible")
		}
	})
}

// FuzzInput: any request document encodes to the JSON encoding/json makes.
func FuzzInput(f *testing.F) {
	f.Add(`{"cart":{"items":[{"sku":"a\u2028<b>","quantity":1}]},"x":[null,true,1.5e3]}`)
	f.Add(`{"s":"\xff\xfe"}`)
	f.Fuzz(func(t *testing.T, s string) {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var m map[string]any
		if d.Decode(&m) != nil || m == nil {
			return
		}
		delete(m, "campaign")
		in, err := NewInput(m)
		if err != nil {
			t.Fatal(err)
		}
		got := in.For(nil, []byte(`{}`))
		m["campaign"] = map[string]any{}
		want, _ := json.Marshal(m)
		// encoding/json sorts "campaign" among the keys; compare as documents.
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil {
			t.Fatalf("not JSON: %s", got)
		}
		ga, _ := json.Marshal(a)
		gb, _ := json.Marshal(b)
		if !bytes.Equal(ga, gb) {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
}
