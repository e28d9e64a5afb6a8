package manifest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

// TestDropValueConvertsAgain checks that a document whose value was
// dropped answers Generic, Has and Canonical as before, from its file's
// text, tenant variables substituted again.
func TestDropValueConvertsAgain(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.yaml", "# first\n---\napiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-a}\n---\n---\n"+
		"apiVersion: runai-sync/v1\nkind: Credential\nmetadata:\n  name: c-${tenant}\n  scope: project\n  projectId: ${vars.project}\n"+
		"spec: {type: password, user: u, password: {fromEnv: X}}\n")
	// An anchor: this file is read by yaml/v3, the other by the fast parser.
	write(t, dir, "b.yaml", "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: &m\n  name: ci-${tenant}\n")
	vars := &manifest.Vars{Tenant: "team-a", Values: map[string]string{"project": "7"}}
	docs, diags := manifest.Loader{Vars: vars}.Read(dir)
	if len(diags) > 0 || len(docs) != 3 {
		t.Fatalf("want 3 documents and no diagnostics, got %d: %v", len(docs), diags)
	}
	for _, d := range docs {
		if err := d.Decode(); err != nil {
			t.Fatal(err)
		}
	}
	set := manifest.NewSet(docs)
	before := set.Canonical().Reveal()
	values := []any{docs[0].Value, docs[1].Value, docs[2].Value}
	for _, d := range docs {
		d.DropValue()
		if d.Value != nil {
			t.Fatalf("%s: Value kept after DropValue", d)
		}
	}
	for i, d := range docs {
		if diff := cmp.Diff(values[i], d.Generic()); diff != "" {
			t.Errorf("%s: Generic after DropValue (-before +after):\n%s", d, diff)
		}
	}
	if !docs[1].Has(manifest.FieldPath{"metadata", "projectId"}) || docs[1].Has(manifest.FieldPath{"metadata", "project"}) {
		t.Error("Has after DropValue does not see the document's fields")
	}
	if after := set.Canonical().Reveal(); after != before {
		t.Errorf("Canonical changed after DropValue:\n%s\n%s", before, after)
	}
}
