// Package suggest finds the name a user probably meant when they wrote one
// that is not known: the "did you mean" of every error about an unknown
// key, effect type, rule, wasm module, time zone, day or setting.
//
// One rule decides for every caller: the known name at the smallest
// case-insensitive Levenshtein distance from the name written, provided
// that distance is at most MaxDistance(name) — 2 edits, or a quarter of the
// name's length when that is more, so that a long time zone name may have
// a few more typos than a short key. Ties go to the alphabetically first
// name, so that the suggestion never depends on map order.
//
// # Caveats
//
// Distances count runes, not bytes, and do not normalize Unicode. A
// transposition ("vpi" for "vip") counts as two edits.
package suggest
