package when

// eventKeys are the conditions on the event that started a trigger.
var eventKeys = []string{"attributes"}

// parseEvent reads event: {attributes: {...}}, tested on input.event,
// which a trigger's decision fills with the event that started it
// (SPEC §13). A campaign's input has no event: every condition on one
// fails there (and holds when negated), as customer conditions do for an
// anonymous cart; the bundle loader refuses event: in a campaign.
func parseEvent(o *obj, neg bool, _ env) []*node {
	o.known("event condition", eventKeys)
	var out []*node
	for _, a := range readAttributes(o, "attributes", "input.event.attributes") {
		what := "event attribute " + a.key
		out = append(out, leaf("event_attribute", what+" must be "+orList(a.values), what+" must not be "+orList(a.values), neg, a.test).
			native(eventAttribute(a.key, a.vals)))
	}
	return out
}

// eventAttribute is input.event.attributes.<key> in {v, ...}.
func eventAttribute(key string, vs []value) check {
	return func(f *facts) bool {
		ev, _ := get(f.req.Input, "event")
		attrs, _ := get(ev, "attributes")
		x, ok := get(attrs, key)
		return ok && isOneOf(x, vs)
	}
}
