package pricetest

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// Bundle is a test file's own bundle, inline, for a file that stands
// alone (policies/testdata/cases): the campaigns and rules its cases are
// priced on. `promoctl test` prices every file on the bundle directory it
// tests and does not read this.
type Bundle struct {
	// Campaigns are documents as at data.promo.campaigns.<id>.
	Campaigns map[string]json.RawMessage `json:"campaigns"`
	// Rules are Rego modules (package promo.rules.<name>) by name.
	Rules map[string]string `json:"rules"`
}

// WriteDir lays b out as a bundle directory at dir with this revision:
// promo/campaigns/<id>/data.json and promo/rules/<rule>.rego.
func (b *Bundle) WriteDir(dir, revision string) error {
	manifest, err := json.Marshal(map[string]any{"revision": revision, "roots": []string{"promo"}})
	if err != nil {
		return err
	}
	files := map[string][]byte{".manifest": manifest}
	for id, doc := range b.Campaigns {
		files[filepath.Join("promo", "campaigns", id, "data.json")] = doc
	}
	for rule, module := range b.Rules {
		files[filepath.Join("promo", "rules", rule+".rego")] = []byte(module)
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
