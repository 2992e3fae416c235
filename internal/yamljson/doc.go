// Package yamljson turns YAML into JSON, and JSON values back into YAML,
// exactly as the bundle loader reads
// a data.yaml: OPA reads it with sigs.k8s.io/yaml, which resolves plain
// scalars by YAML 1.1 (yes, no, on, off, y and n are booleans; 1_000 is an
// integer; a date stays a string) and sorts object keys. Test files,
// request files and rewritten campaign documents are read the same way, so
// that the same text means the same everywhere; and promoedge itself links
// one YAML library, go.yaml.in/yaml/v3, whose node tree also gives the
// line numbers of errors.
//
// # Caveats
//
// The scalars are resolved here, not by yaml/v3 (whose YAML 1.2 rules
// differ, and which would decode a date into a time.Time): a change to
// this file is checked against sigs.k8s.io/yaml by the tests. Of several
// documents in one input, only the first is read; a duplicate key keeps
// its last value; a merge key (<<) overrides the keys before it and not
// those after, as YAML 1.1 readers do. A scalar tagged !!bool, !!int,
// !!float, !!null or !!timestamp is resolved as if plain; so is one with
// the non-specific tag "!", which yaml/v3 does not report ("! 12" is 12
// here and "12" there). The two ports of libyaml also part on some
// malformed input: "[]:" is an error here and [] there. Two keys that
// JSON names alike (8 and 08) keep the later one here and either there.
package yamljson
