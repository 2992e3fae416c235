// Package field reads loosely typed JSON or YAML documents (map[string]any
// with json.Number numbers) into typed values, naming the path of every
// problem ("cart.items[0].quantity") and suggesting the intended name for
// an unknown key.
package field
