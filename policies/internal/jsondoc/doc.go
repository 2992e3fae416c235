// Package jsondoc decodes a JSON object into the generic form encoding/json
// gives with UseNumber (map[string]any, []any, string, json.Number, bool,
// nil), several times faster, for request bodies on the hot path.
//
// # Caveats
//
// It decodes only what it can decode exactly as encoding/json does: an
// object with nothing after it but white space, plain strings (no escapes,
// valid UTF-8), well-formed numbers and nesting under MaxDepth. For anything
// else Decode reports false and the caller decodes with encoding/json, which
// also words the errors. The strings and numbers it returns are cut from
// one copy of the body, which lives as long as any of them does.
package jsondoc
