package rego

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/promoedge/promoedge/policies"
)

// Verdict reads a rule package's document (eligible, reasons, effects) as
// this evaluator does. The OPA-wasm evaluator reads the documents its
// policy.wasm returns with it, so that both forms of a rule answer alike.
// A nil doc (an undefined package) is "not eligible".
func Verdict(c *policies.Campaign, doc *ast.Term) policies.Verdict { return verdict(c, doc) }
