package manifest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// FuzzLoad feeds arbitrary bytes through the loader and the validator: they
// must never panic or hang, and every diagnostic must point into the file.
// Run it with: go test ./manifest -run '^$' -fuzz FuzzLoad -fuzztime 1m
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"../examples/*/*.yaml", "../testdata/invalid/*.yaml", "../testdata/invalid/*/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("<<: {a: 1}\n<<: [{b: 2}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, diags := manifest.Parse("fuzz.yaml", data)
		_, more := schema.Validate(docs)
		for _, d := range append(diags, more...) {
			if d.Pos.Line < 1 || d.Pos.Column < 1 || d.Message == "" {
				t.Fatalf("diagnostic without a place or message: %#v", d)
			}
		}
		for _, d := range docs {
			d.Pos(manifest.FieldPath{"spec", "keys", 0, "x"})
			d.KeyPos(manifest.FieldPath{"metadata", "name"})
		}
	})
}
