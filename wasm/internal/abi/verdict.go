package abi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/promoedge/promoedge/policies"
)

// ErrOutput is wrapped by every problem with what a module returned.
var ErrOutput = errors.New("module output is not a valid verdict")

// result is the JSON a module returns. Unknown keys are ignored, as the
// helper rules of a Rego package are.
type result struct {
	Eligible *bool            `json:"eligible"`
	Reasons  json.RawMessage  `json:"reasons"`
	Effects  *json.RawMessage `json:"effects"`
}

// Verdict decodes a module's answer: {"eligible": bool, "reasons": [...],
// "effects": [...]}, read as the Rego evaluator reads a rule package:
// reasons only count when not eligible (sorted), effects only when
// eligible (and then replace the declared ones). eligible is required: a
// module that forgets it has a bug, which must not read as "not eligible".
func Verdict(out []byte) (policies.Verdict, error) {
	var r result
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&r); err != nil {
		return policies.Verdict{}, fmt.Errorf("%w: %s", ErrOutput, jsonProblem(err, out))
	}
	if dec.More() {
		return policies.Verdict{}, fmt.Errorf("%w: data after the JSON object", ErrOutput)
	}
	if r.Eligible == nil {
		return policies.Verdict{}, fmt.Errorf("%w: \"eligible\" (a boolean) is missing", ErrOutput)
	}
	v := policies.Verdict{Eligible: *r.Eligible}
	if !v.Eligible && len(r.Reasons) > 0 && string(r.Reasons) != "null" {
		reasons, err := readReasons(r.Reasons)
		if err != nil {
			return policies.Verdict{}, err
		}
		v.Reasons = reasons
	}
	if v.Eligible && r.Effects != nil && string(*r.Effects) != "null" {
		effs, err := readEffects(*r.Effects)
		if err != nil {
			return policies.Verdict{}, err
		}
		v.Effects = effs
	}
	return v, nil
}

func readReasons(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%w: \"reasons\" must be an array of strings", ErrOutput)
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		var s string
		if json.Unmarshal(e, &s) == nil {
			out = append(out, s)
		} else {
			out = append(out, string(e))
		}
	}
	sort.Strings(out)
	return out, nil
}

func readEffects(raw json.RawMessage) ([]policies.Effect, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var list []any
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("%w: \"effects\" must be an array of effects", ErrOutput)
	}
	effs, problems := policies.ParseEffects("effects", list)
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: invalid effects: %s", ErrOutput, problems[0].Error())
	}
	if effs == nil {
		effs = []policies.Effect{}
	}
	return effs, nil
}

// jsonProblem says what is wrong with out, quoting a short prefix of it.
func jsonProblem(err error, out []byte) string {
	const show = 40
	prefix := out
	if len(prefix) > show {
		prefix = prefix[:show]
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("%q must be a %s, not %s", typeErr.Field, typeName(typeErr), typeErr.Value)
	}
	return fmt.Sprintf("not JSON (%v), starts with %q", err, prefix)
}

func typeName(e *json.UnmarshalTypeError) string {
	if e.Field == "eligible" {
		return "boolean"
	}
	return e.Type.String()
}
