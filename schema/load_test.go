package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// TestLoadChecksAsValidate checks that Load, which checks each document as
// its file is read and then drops its value, finds exactly what Validate
// finds over the same documents read first, for every invalid case and
// the examples; and that the documents of Load's set hold no value any
// more but can still be asked for one.
func TestLoadChecksAsValidate(t *testing.T) {
	t.Chdir("..")
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"examples"}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".golden") && !strings.HasSuffix(e.Name(), ".ACTUAL") {
			paths = append(paths, filepath.Join("testdata", "invalid", e.Name()))
		}
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			set, loaded := schema.Load(p)
			docs, diags := manifest.Read(p)
			_, more := schema.Validate(docs)
			validated := append(diags, more...).Sort()
			if diff := cmp.Diff(validated.Error(), loaded.Error()); diff != "" {
				t.Errorf("Load and Validate differ (-Validate +Load):\n%s", diff)
			}
			for _, r := range set.Resources {
				if d := r.Document(); d.Value != nil || d.Generic() == nil {
					t.Errorf("%s: value kept by Load, or lost (Generic nil)", d)
				}
			}
		})
	}
}
