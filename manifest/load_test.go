package manifest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const sa = "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: %s}\n"

func TestReadWalksDirectoriesInOrder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b.yaml", strings.ReplaceAll(sa, "%s", "ci-b")+"---\n"+strings.ReplaceAll(sa, "%s", "ci-c")+"---\n")
	write(t, dir, "a/z.yml", strings.ReplaceAll(sa, "%s", "ci-a"))
	write(t, dir, "c.json", `{"apiVersion": "runai-sync/v1", "kind": "ServiceAccount", "metadata": {"name": "ci-d"}}`)
	write(t, dir, "notes.txt", "not a manifest")
	write(t, dir, ".hidden/x.yaml", "kind: [broken")
	write(t, dir, ".dotfile.yaml", "kind: [broken")
	docs, diags := manifest.Read(dir)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	var got []string
	for _, d := range docs {
		rel, _ := filepath.Rel(dir, d.File)
		got = append(got, rel+"#"+d.Name)
	}
	want := []string{"a/z.yml#ci-a", "b.yaml#ci-b", "b.yaml#ci-c", "c.json#ci-d"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
}

func TestReadExplicitFilesAndErrors(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "manifest.txt", strings.ReplaceAll(sa, "%s", "ci-a"))
	docs, diags := manifest.Read(f, f, filepath.Join(dir, "missing.yaml"), t.TempDir())
	if len(docs) != 1 {
		t.Errorf("an explicitly named file is read whatever its extension, once: got %d documents", len(docs))
	}
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Message)
	}
	want := []string{"no such file or directory", "directory holds no .yaml, .yml or .json file"}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestReadStdin(t *testing.T) {
	docs, diags := manifest.Loader{Stdin: strings.NewReader(strings.ReplaceAll(sa, "%s", "ci-a"))}.Read("-")
	if len(diags) > 0 || len(docs) != 1 || docs[0].File != "<stdin>" || docs[0].Name != "ci-a" {
		t.Fatalf("stdin: docs=%v diags=%v", docs, diags)
	}
}

// TestPositions checks the line and column of fields, through flow and block
// style, anchors, merge keys, JSON, CRLF and a byte order mark.
func TestPositions(t *testing.T) {
	src := "\ufeff# comment\r\n" +
		"base: &base\r\n" +
		"  scope: project\r\n" +
		"apiVersion: runai-sync/v1\r\n" +
		"kind: Credential\r\n" +
		"metadata:\r\n" +
		"  <<: *base\r\n" +
		"  name: team-a\r\n" +
		"spec: {type: genericSecret, keyValuePairs: {\"a.b\": x, K: {fromEnv: V}}}\r\n" +
		"list:\r\n" +
		"  - one\r\n" +
		"  - {two: 2}\r\n"
	docs, diags := manifest.Parse("f.yaml", []byte(src))
	if len(diags) > 0 || len(docs) != 1 {
		t.Fatalf("parse: %v", diags)
	}
	d := docs[0]
	tests := []struct {
		path manifest.FieldPath
		key  bool
		want string
	}{
		{manifest.FieldPath{"apiVersion"}, false, "f.yaml:4:13"},
		{manifest.FieldPath{"metadata", "name"}, false, "f.yaml:8:9"},
		{manifest.FieldPath{"metadata", "name"}, true, "f.yaml:8:3"},
		{manifest.FieldPath{"metadata", "scope"}, false, "f.yaml:3:10"}, // through the merge key
		{manifest.FieldPath{"spec", "keyValuePairs", "a.b"}, false, "f.yaml:9:52"},
		{manifest.FieldPath{"spec", "keyValuePairs", "K", "fromEnv"}, false, "f.yaml:9:68"},
		{manifest.FieldPath{"list", 1, "two"}, false, "f.yaml:12:11"},
		{manifest.FieldPath{"spec", "missing", "deeper"}, false, "f.yaml:9:7"}, // nearest ancestor
	}
	for _, tt := range tests {
		pos := d.Pos(tt.path)
		if tt.key {
			pos = d.KeyPos(tt.path)
		}
		if pos.String() != tt.want {
			t.Errorf("position of %s (key=%v) = %s, want %s", tt.path, tt.key, pos, tt.want)
		}
	}
	if d.Name != "team-a" || d.Kind != manifest.KindCredential {
		t.Errorf("header: kind %q name %q", d.Kind, d.Name)
	}
	m := d.Value.(map[string]any)["metadata"].(map[string]any)
	if m["scope"] != "project" {
		t.Errorf("merge key not applied: %v", m)
	}
}

func TestFieldPathString(t *testing.T) {
	p := manifest.FieldPath{"spec", "credentials", 0, "names", "a.b"}
	if got, want := p.String(), `spec.credentials[0].names["a.b"]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestKeyOrderAndString(t *testing.T) {
	a := manifest.Key{Kind: manifest.KindCredential, Type: "accessKey", Scope: "project", ScopeID: "7", Name: "x"}
	b := a
	b.ScopeID = "12"
	if a.Compare(b) >= 0 {
		t.Error("project 7 should sort before project 12")
	}
	if got, want := b.String(), "Credential accessKey x (project 12)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
