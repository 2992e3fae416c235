// Package rego decides campaigns with OPA Rego rules: it implements
// policies.Rules over one compiled bundle.
//
// All the rules a request needs run in one evaluation of one prepared query,
// shared by every request: the query walks the list of rule packages the
// request needs (passed in the input) and reads each package's document.
// One evaluation costs one store transaction, one input conversion and one
// result, however many rules it runs.
//
// Rules see input.campaign, their campaign's document. Building an input per
// rule costs a copy of the input and empties OPA's caches, so at load the
// evaluator finds the rule packages that may read input.campaign (from the
// rules and every rule they depend on); only those run `with input as` the
// request plus their campaign. The others run on the request as it is and
// share OPA's cache of rule values within the evaluation.
//
// # Caveats
//
// If any rule of the batch fails, the whole evaluation fails; the evaluator
// then decides each campaign of that request alone so that only the failing
// rule's campaign is rejected with "error". The input carries the run lists
// under the keys RunKey and "__promoedge_run_with", which rules that do not
// read input.campaign can see and should ignore.
package rego
