// Package rego decides campaigns with OPA Rego rules: it implements
// policies.Rules over one compiled bundle (Evaluator), and over the
// policy.wasm that `opa build -t wasm` compiles from the same rules
// (CompiledEvaluator, on OPA's own wazero-based engine), which reads each
// rule's document as Evaluator does, so both forms answer alike.
// BuildPolicyWasm makes that form of a bundle.
//
// All the rules a request needs run in one evaluation of one prepared query,
// shared by every request: the query walks the lists of rule packages the
// request needs (passed in the input) and reads each package's document.
// One evaluation costs one store transaction, one input conversion and one
// result, however many rules it runs. What each rule costs on top is kept
// small by work done once, when the bundle loads:
//
//   - Rules see input.campaign, their campaign's document. Building an
//     input per rule costs a copy of the input and empties OPA's caches, so
//     only the packages that may read input.campaign (from their rules and
//     every rule they depend on) run `with input as` the request plus their
//     campaign; the others run on the request as it is.
//   - A package that defines nothing but eligible is read through that
//     rule, not by building its document (half the cost).
//   - A package that is a copy of another (the same modules once their own
//     path is taken out, see sameRules) is evaluated once for all of them.
//   - Share takes comprehensions that several rules write the same (the
//     cart's subtotal, its unit count) out into one shared rule, which OPA
//     evaluates once per evaluation and caches.
//
// # Caveats
//
// If any rule of the batch fails, the whole evaluation fails; the evaluator
// then decides each campaign of that request alone, on its own package, so
// that only the failing rule's campaign is rejected with "error". The input
// carries the run lists under RunKey and four more "__promoedge_run_" keys,
// which rules that do not read input.campaign can see and should ignore.
// Rules that call rego.metadata are never taken for copies of one another.
//
// Each evaluation runs under Limits (limits.go): a deadline, and a bound on
// what the process allocates meanwhile, sampled every 10 ms. A batch that
// passes them falls back to one evaluation per campaign as any failure
// does, so a runaway rule costs its request up to twice the deadline and
// rejects only its own campaign with error.
package rego
