// Package golden compares test output with golden files. Run the tests with
// -update to rewrite them; on a mismatch the actual output is left beside
// the golden file as NAME.ACTUAL (ignored by git) for a diff tool.
//
// It is imported by tests only.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with the actual output")

// Check compares got with the golden file at path.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	actual := path + ".ACTUAL"
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(actual)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (run go test -update to create it): %v", err)
	}
	if bytes.Equal(want, got) {
		_ = os.Remove(actual)
		return
	}
	_ = os.WriteFile(actual, got, 0o644)
	t.Errorf("%s differs (-want +got), actual output left in %s:\n%s", path, actual, cmp.Diff(string(want), string(got)))
}
