package stats

import "time"

// Key names one row of counters.
type Key struct {
	Campaign string
	// Day is the UTC date counted; 0 for an experiment row, which counts
	// its whole phase.
	Day Day
	// Phase and Variant name an experiment's variant; both "" for a
	// campaign's day row.
	Phase   string
	Variant string
}

// Experiment reports whether k is an experiment's variant row.
func (k Key) Experiment() bool { return k.Variant != "" }

// Counts are one row's counters. Every field only grows on the node
// that owns the row.
type Counts struct {
	// Applied is evaluate answers in which the campaign applied.
	Applied int64 `json:"applied,omitempty"`
	// Exposures is evaluate answers in which the campaign was eligible:
	// applied with this variant, or held out (experiment rows).
	Exposures int64 `json:"exposures,omitempty"`
	// Redemptions, Discount and Revenue are redemptions committed with the
	// campaign applied, the discount it gave in them and their totals.
	Redemptions int64 `json:"redemptions,omitempty"`
	Discount    int64 `json:"discount,omitempty"`
	Revenue     int64 `json:"revenue,omitempty"`
	// RolledBack... are those of them rolled back since: counted apart so
	// that every field only grows.
	RolledBack         int64 `json:"rolled_back,omitempty"`
	RolledBackDiscount int64 `json:"rolled_back_discount,omitempty"`
	RolledBackRevenue  int64 `json:"rolled_back_revenue,omitempty"`
	// Rejections counts evaluate answers that rejected it, by reason.
	Rejections map[string]int64 `json:"rejections,omitempty"`
	// Customers and Redeemers are the distinct customers exposed and
	// redeeming, exact, on the node that owns the row (experiment rows).
	Customers int64 `json:"customers,omitempty"`
	Redeemers int64 `json:"redeemers,omitempty"`
	// CustomerSketch and RedeemerSketch count the same customers
	// approximately, mergeable across nodes (experiment rows).
	CustomerSketch *Sketch `json:"customer_sketch,omitempty"`
	RedeemerSketch *Sketch `json:"redeemer_sketch,omitempty"`
	// Started is when the node first counted the row (Unix nanoseconds;
	// experiment rows: the phase's start). Merged by minimum.
	Started int64 `json:"started,omitempty"`
}

// StartedAt is Started as a time; the zero time when unset.
func (c *Counts) StartedAt() time.Time {
	if c.Started == 0 {
		return time.Time{}
	}
	return time.Unix(0, c.Started).UTC()
}

// Add adds d's counters to c (a node adding to its own row). Sketches
// and Customers are not added: the store counts those from the hashes.
func (c *Counts) Add(d *Counts) {
	c.Applied += d.Applied
	c.Exposures += d.Exposures
	c.Redemptions += d.Redemptions
	c.Discount += d.Discount
	c.Revenue += d.Revenue
	c.RolledBack += d.RolledBack
	c.RolledBackDiscount += d.RolledBackDiscount
	c.RolledBackRevenue += d.RolledBackRevenue
	for r, n := range d.Rejections {
		if c.Rejections == nil {
			c.Rejections = map[string]int64{}
		}
		c.Rejections[r] += n
	}
	if d.Started != 0 && (c.Started == 0 || d.Started < c.Started) {
		c.Started = d.Started
	}
}

// Merge keeps, field by field, the larger of c and o: two copies of one
// node's row merge into the newer (every field only grows), in any order.
func (c *Counts) Merge(o *Counts) {
	c.Applied = max(c.Applied, o.Applied)
	c.Exposures = max(c.Exposures, o.Exposures)
	c.Redemptions = max(c.Redemptions, o.Redemptions)
	c.Discount = max(c.Discount, o.Discount)
	c.Revenue = max(c.Revenue, o.Revenue)
	c.RolledBack = max(c.RolledBack, o.RolledBack)
	c.RolledBackDiscount = max(c.RolledBackDiscount, o.RolledBackDiscount)
	c.RolledBackRevenue = max(c.RolledBackRevenue, o.RolledBackRevenue)
	for r, n := range o.Rejections {
		if c.Rejections == nil {
			c.Rejections = map[string]int64{}
		}
		c.Rejections[r] = max(c.Rejections[r], n)
	}
	c.Customers = max(c.Customers, o.Customers)
	c.Redeemers = max(c.Redeemers, o.Redeemers)
	c.CustomerSketch = mergeSketch(c.CustomerSketch, o.CustomerSketch)
	c.RedeemerSketch = mergeSketch(c.RedeemerSketch, o.RedeemerSketch)
	if o.Started != 0 && (c.Started == 0 || o.Started < c.Started) {
		c.Started = o.Started
	}
}

// Sum adds the rows of two different nodes (the fleet's value): counters
// add, sketches merge (a union), Started is the earliest. The exact
// Customers and Redeemers add too; Fleet decides which count to show.
func (c *Counts) Sum(o *Counts) {
	c.Add(o) // Started: the earliest
	c.Customers += o.Customers
	c.Redeemers += o.Redeemers
	c.CustomerSketch = mergeSketch(c.CustomerSketch, o.CustomerSketch)
	c.RedeemerSketch = mergeSketch(c.RedeemerSketch, o.RedeemerSketch)
}

func mergeSketch(a, b *Sketch) *Sketch {
	switch {
	case b == nil:
		return a
	case a == nil:
		return b.Clone()
	}
	a.Merge(b)
	return a
}

// Delta is what a node adds to one of its own rows: counters, and the
// hashes of the customers exposed or redeeming (experiment rows), which
// the keeper counts exactly and in the sketches.
type Delta struct {
	Key
	Counts
	Customers []uint64
	Redeemers []uint64
}

// Row is one key's counters: a node's own, or the fleet's sum.
type Row struct {
	Key
	Counts
	// Nodes is how many nodes' rows were summed (0 for a node's own).
	Nodes int
}

// Distinct is the count of distinct customers a fleet row shows: exact
// when one node counted them all, else the sketch's estimate.
func Distinct(exact int64, sketch *Sketch, nodes int) int64 {
	if nodes <= 1 || sketch == nil {
		return exact
	}
	return int64(sketch.Estimate() + 0.5)
}
