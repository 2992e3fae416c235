// Package bundle turns an OPA bundle (a directory, a .tar.gz or an fs.FS)
// into a policies.Revision: it reads the bundle with OPA's own loader,
// validates every campaign document under data.promo.campaigns, compiles
// each campaign's when: block into a generated module (policies/when),
// compiles the Rego modules with OPA's compiler, checks that every rule a
// campaign names exists, and prepares the rule backends (backends.go): the
// native evaluator of the when: blocks, the Rego evaluator of the
// hand-written modules, and the bundle's wasm. Config.WhenInRego puts the
// when: blocks back in the Rego evaluator, as before the native one.
//
// A bundle with problems is refused as a whole with a *LoadError that lists
// every problem, each with its file, line and field (lines of data files
// come from their YAML node tree, see FieldLine).
//
// # Caveats
//
// Rules are compiled without network builtins (http.send,
// net.lookup_ip_addr): a rule runs on the checkout's hot path and must not
// wait on the network.
package bundle
