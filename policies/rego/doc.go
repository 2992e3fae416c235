// Package rego decides campaigns with OPA Rego rules: it implements
// policies.Rules over one compiled bundle.
//
// All the rules a request needs run in one evaluation of one prepared query:
// the query walks the list of rule packages the request needs (passed in the
// input) and reads each package's document, with input.campaign set to that
// campaign's document. One evaluation costs one store transaction, one input
// conversion and one result, however many rules it runs.
//
// # Caveats
//
// If any rule of the batch fails, the whole evaluation fails; the evaluator
// then decides each campaign of that request alone so that only the failing
// rule's campaign is rejected with "error". The input carries the run list
// under the key RunKey, which rules can see and should ignore.
package rego
