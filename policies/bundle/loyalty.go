package bundle

import (
	"errors"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/policies"
)

// readLoyalty validates the bundle's loyalty program, data.promo.loyalty
// (promo/loyalty/data.yaml); nil without one.
func readLoyalty(b *opabundle.Bundle, files []string) (*policies.Program, []Problem) {
	promo, _ := b.Data["promo"].(map[string]any)
	raw, ok := promo["loyalty"]
	if !ok {
		return nil, nil
	}
	file := dataFile(files, "promo/loyalty")
	doc, ok := raw.(map[string]any)
	if !ok {
		return nil, []Problem{{File: file, Field: "promo.loyalty", Message: "the loyalty program must be an object"}}
	}
	p, err := policies.ParseProgram(doc)
	var pe *policies.ProgramError
	if !errors.As(err, &pe) {
		return p, nil
	}
	out := make([]Problem, 0, len(pe.Problems))
	for _, fp := range pe.Problems {
		f := "promo.loyalty"
		if fp.Field != "" {
			f += "." + fp.Field
		}
		out = append(out, Problem{File: file, Field: f, Message: fp.Message})
	}
	return nil, out
}
