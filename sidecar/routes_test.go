package sidecar

import (
	"maps"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/promoedge/promoedge/policies"
)

// Every route of routeTable, with each of its methods, is in openapi.yaml,
// and the document has nothing the server does not route: a new endpoint
// needs its description (and openapi_test.go then exercises it).
func TestOpenAPIListsEveryRoute(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDoc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(DefaultConfig(), Deps{Engine: policies.NewEngine(policies.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	routed := map[string]bool{}
	for _, r := range s.routes {
		routed[r.name] = true
		item := doc.Paths.Find(r.name)
		if item == nil {
			t.Errorf("%s is routed but not in openapi.yaml", r.name)
			continue
		}
		for method := range r.methods {
			if item.GetOperation(method) == nil {
				t.Errorf("%s %s is routed but not in openapi.yaml", method, r.name)
			}
		}
		for method := range item.Operations() {
			if _, ok := r.methods[method]; !ok {
				t.Errorf("%s %s is in openapi.yaml but not routed", method, r.name)
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		if !routed[p] {
			t.Errorf("%s is in openapi.yaml but not routed", p)
		}
	}
}
