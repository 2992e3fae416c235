package abi

import "fmt"

// Input is a request's input document encoded once, to which each
// campaign's own document is added as the key "campaign" (the input a Rego
// rule sees, docs/rules.md#rule-contract).
type Input struct {
	head []byte // the request object without its closing brace
	// empty is true when the request object has no key (so no comma).
	empty bool
}

// NewInput encodes the request input. A "campaign" key the request may
// carry is dropped: the campaign's own document takes its place, as
// `with input.campaign` does for Rego.
func NewInput(req map[string]any) (*Input, error) {
	doc := req
	if _, ok := req["campaign"]; ok {
		doc = make(map[string]any, len(req))
		for k, v := range req {
			if k != "campaign" {
				doc[k] = v
			}
		}
	}
	b, err := appendJSON(make([]byte, 0, 4096), doc)
	if err != nil {
		return nil, fmt.Errorf("encoding the rule input: %w", err)
	}
	return &Input{head: b[:len(b)-1], empty: len(doc) == 0}, nil
}

// Len is the size of the document For adds to dst for a campaign
// document of n bytes.
func (in *Input) Len(n int) int { return len(in.head) + len(`,"campaign":}`) + n }

// For appends the input of one campaign (its document already encoded as
// JSON) to dst.
func (in *Input) For(dst, campaign []byte) []byte {
	dst = append(dst, in.head...)
	if !in.empty {
		dst = append(dst, ',')
	}
	dst = append(dst, `"campaign":`...)
	dst = append(dst, campaign...)
	return append(dst, '}')
}
