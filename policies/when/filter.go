package when

// filter is the lines an items condition reads (the generated lines_<n>
// set): every line whose SKU, categories, attributes and unit price match.
// Filters written alike share an id in a bundle, so a request sums their
// lines once.
type filter struct {
	skus     []value
	cats     []value
	attrs    []attribute
	minPrice int64
	hasMin   bool
	key      string // the filter in Rego, the same for filters written alike
	id       int    // index of its sums in facts
}

// matches is the body of lines_<n> for one line.
func (flt *filter) matches(l *line) bool {
	if len(flt.skus) > 0 && (!l.hasSKU || !isOneOf(l.sku, flt.skus)) {
		return false
	}
	if len(flt.cats) > 0 && (!l.hasCats || !anyIn(l.cats, flt.cats)) {
		return false
	}
	for i := range flt.attrs {
		if x, ok := get(l.attrs, flt.attrs[i].key); !ok || !isOneOf(x, flt.attrs[i].vals) {
			return false
		}
	}
	if !flt.hasMin {
		return true
	}
	if l.ok {
		return l.price >= flt.minPrice
	}
	x, ok := l.item["unit_price"]
	return ok && compareTo(x, flt.minPrice) >= 0
}

// sums are the quantity and amount of the filter's lines on f's request,
// worked out once.
func (f *facts) sumsOf(flt *filter) lineSums {
	if f.done[flt.id] {
		return f.sums[flt.id]
	}
	var s lineSums
	for i := range f.lines {
		l := &f.lines[i]
		if !flt.matches(l) {
			continue
		}
		s.qty += l.qty
		if l.ok {
			s.amount += l.qty * l.price
		}
	}
	f.sums[flt.id], f.done[flt.id] = s, true
	return s
}

// quantity compares sum([it.quantity | some it in lines_<n>]).
func (flt *filter) quantity(c cmp) check {
	return func(f *facts) bool { return c.holdsInt(f.sumsOf(flt).qty) }
}

// amount compares the sum of quantity × unit_price of the lines.
func (flt *filter) amount(c cmp) check {
	return func(f *facts) bool { return c.holdsInt(f.sumsOf(flt).amount) }
}
