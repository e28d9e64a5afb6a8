package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file a secret is written to must lie inside the roots, whether it and
// its directories exist or not, with symlinks and ".." resolved; a root
// given with --allow-file-outside lets it out.
func TestConfineOutput(t *testing.T) {
	work, other := t.TempDir(), t.TempDir()
	t.Chdir(work)
	writeFiles(t, work, map[string]string{"out/existing.json": "{}"})
	writeFiles(t, other, map[string]string{"x.json": "{}"})
	if err := os.Symlink(other, filepath.Join(work, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(other, "x.json"), filepath.Join(work, "out", "points-out.json")); err != nil {
		t.Fatal(err)
	}
	inside := Resolver{}
	for _, path := range []string{"out/existing.json", "out/new.json", "new/dir/deep/sa.json", "./sa.json", filepath.Join(work, "abs.json"), "out/../sa.json"} {
		if err := inside.ConfineOutput(path); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	for _, path := range []string{"../sa.json", "out/../../sa.json", "link-out/sa.json", "link-out/new/sa.json", "out/points-out.json", filepath.Join(other, "sa.json"), "/etc/sa.json"} {
		err := inside.ConfineOutput(path)
		if err == nil || !strings.Contains(err.Error(), "file "+path+" is outside the directories secret files may be written to") {
			t.Errorf("%s: %v, want outside", path, err)
		}
	}
	if err := os.Symlink(filepath.Join(other, "missing"), filepath.Join(work, "dangling")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"dangling", "dangling/sa.json"} {
		err := inside.ConfineOutput(path)
		if err == nil || !strings.Contains(err.Error(), "dangling is a symbolic link to a file that does not exist") {
			t.Errorf("%s: %v, want refused", path, err)
		}
	}
	err := inside.ConfineOutput("/proc/self/sa.json")
	if err == nil || strings.Contains(err.Error(), "--allow-file-outside") {
		t.Errorf("/proc: %v, want refused without a suggestion", err)
	}
	err = inside.ConfineOutput("../sa.json")
	realOther, _ := filepath.EvalSymlinks(filepath.Dir(work))
	if err == nil || !strings.HasSuffix(err.Error(), "or allow its directory with --allow-file-outside "+realOther) {
		t.Errorf("the suggestion: %v", err)
	}
	allowed := Resolver{Roots: []string{work, other}}
	for _, path := range []string{"link-out/sa.json", "out/points-out.json", filepath.Join(other, "new", "sa.json")} {
		if err := allowed.ConfineOutput(path); err != nil {
			t.Errorf("%s with %s allowed: %v", path, other, err)
		}
	}
}

// Prepare refuses a set whose service account or access key writes its
// secret outside the roots, at the field, before any source runs.
func TestPrepareRefusesOutputsOutside(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work)
	writeFiles(t, work, map[string]string{"m.yaml": `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci}
spec:
  secretFile: ../ci.json
---
apiVersion: runai-sync/v1
kind: AccessKey
metadata: {name: laptop}
spec: {secretFile: out/laptop.json}
`})
	docs, diags := Read("m.yaml")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, d := range docs {
		if err := d.Decode(); err != nil {
			t.Fatal(err)
		}
	}
	got := Resolver{}.Prepare(NewSet(docs))
	if len(got) != 1 || got[0].Pos.Line != 5 || got[0].Pos.Column != 15 || got[0].Path.String() != "spec.secretFile" ||
		!strings.Contains(got[0].Message, "file ../ci.json is outside the directories secret files may be written to") {
		t.Fatalf("Prepare = %v", got)
	}
}
