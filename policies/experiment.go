package policies

import (
	"encoding/json"
	"strconv"

	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/stats"
)

// Experiments (SPEC §11): a campaign with variants gives each customer one
// of them, with its own effects (a holdout gets none and is rejected
// holdout). The variant is a hash of (campaign, phase, customer), so it
// needs no state: it is the same on every node and after restarts.

// Variant is one arm of an experiment.
type Variant struct {
	Name    string
	Weight  int64 // a share of VariantWeights
	Holdout bool  // gets nothing: the campaign is rejected holdout
	Effects []Effect
}

// VariantWeights is what a campaign's variants' weights sum to.
const VariantWeights = 100

// Exposure is a campaign's variant as a decision gave it: on a redemption,
// every experiment the customer was in (holdouts too), so that rollbacks
// and conversions are counted on the variant.
type Exposure struct {
	Campaign string `json:"campaign"`
	Phase    string `json:"phase"`
	Variant  string `json:"variant"`
}

// Subject is who an experiment assigns: the customer, or the cart when
// anonymous.
func (r *Request) Subject() string {
	if r.Customer.ID != "" {
		return r.Customer.ID
	}
	return r.Cart.ID
}

// Assign is the index of subject's variant of c (c has variants): the
// hash of (campaign, phase, subject) placed on the weights.
func (c *Campaign) Assign(subject string) int {
	at := int64(stats.Hash(c.ID, c.Phase, subject) % VariantWeights)
	for i := range c.Variants {
		if at < c.Variants[i].Weight {
			return i
		}
		at -= c.Variants[i].Weight
	}
	return len(c.Variants) - 1 // unreachable: the weights sum to VariantWeights
}

// readVariants reads variants:, and names the campaign's phase: the hash
// of the variants' definition, so that changing a weight or a variant
// starts a new phase (counts start over) and nothing else does.
func readVariants(o *field.Obj, c *Campaign) {
	if !o.Has("variants") {
		return
	}
	raw, _ := o.Raw("variants")
	objs := o.Objects("variants")
	if len(objs) < 2 {
		o.Fail("variants", "an experiment needs at least two variants, got %d", len(objs))
	}
	if o.Has("effects") {
		o.Fail("effects", "a campaign with variants has its effects on each variant, not on the campaign")
	}
	names := map[string]bool{}
	var sum int64
	for _, vo := range objs {
		if vo == nil {
			continue
		}
		v := Variant{Name: vo.String("name", ""), Weight: vo.Int("weight", 0, 1), Holdout: vo.Bool("holdout", false)}
		switch {
		case v.Name == "":
			vo.Fail("name", "is required")
		case names[v.Name]:
			vo.Fail("name", "variant %q is named twice", v.Name)
		}
		names[v.Name] = true
		if !vo.Has("weight") {
			vo.Fail("weight", "is required: a positive share of %d", VariantWeights)
		}
		sum += v.Weight
		switch {
		case v.Holdout && vo.Has("effects"):
			vo.Fail("effects", "a holdout variant gets nothing: no effects")
		case !v.Holdout && !vo.Has("effects") && (!c.HasRule() || c.When != nil):
			vo.Fail("effects", "is required (or holdout: true)")
		case !v.Holdout:
			v.Effects = readEffects(vo, "effects")
		}
		vo.Strict()
		c.Variants = append(c.Variants, v)
	}
	if sum != VariantWeights && len(objs) >= 2 {
		o.Fail("variants", "the weights must sum to %d, they sum to %d", VariantWeights, sum)
	}
	b, _ := json.Marshal(raw) // map keys sorted: the same definition, the same phase
	c.Phase = strconv.FormatUint(stats.Hash(string(b)), 16)
}

// variantEffects picks cd's variant and its effects: a holdout is
// rejected and gets none.
func (ev *evaluation) variantEffects(cd *candidate) {
	i := cd.c.Assign(ev.req.Subject())
	cd.variant = int16(i + 1)
	v := &cd.c.Variants[i]
	if v.Holdout {
		cd.out = true
		ev.addRejection(Rejection{Campaign: cd.c.ID, Code: cd.code, Variant: v.Name, Reason: Holdout}, cd.rank)
		return
	}
	cd.effects = v.Effects
}

// variantName is the name of cd's variant, "" outside an experiment.
func (cd *candidate) variantName() string {
	if cd.variant == 0 {
		return ""
	}
	return cd.c.Variants[cd.variant-1].Name
}

// exposures lists the experiments of dec: the variants applied, and the
// holdouts.
func exposures(dec *Decision) []Exposure {
	var out []Exposure
	seen := func(id string) bool {
		for _, e := range out {
			if e.Campaign == id {
				return true
			}
		}
		return false
	}
	for i := range dec.Applied {
		a := &dec.Applied[i]
		if a.Variant != "" && !seen(a.Campaign) {
			out = append(out, Exposure{Campaign: a.Campaign, Phase: dec.revision.phaseOf(a.Campaign), Variant: a.Variant})
		}
	}
	for i := range dec.Rejected {
		r := &dec.Rejected[i]
		if r.Reason == Holdout && !seen(r.Campaign) {
			out = append(out, Exposure{Campaign: r.Campaign, Phase: dec.revision.phaseOf(r.Campaign), Variant: r.Variant})
		}
	}
	return out
}

func (rev *Revision) phaseOf(id string) string {
	if rev == nil {
		return ""
	}
	if c, ok := rev.byID[id]; ok {
		return c.Phase
	}
	return ""
}
