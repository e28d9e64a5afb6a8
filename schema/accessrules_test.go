package schema_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// TestAccessRulesDecode checks that spec.accessRules of a service account
// validates and decodes: roles by name, scopes by id or by name.
func TestAccessRulesDecode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sa.yaml")
	src := `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci-pipeline}
spec:
  accessRules:
    - {role: ML engineer, scope: project, project: team-a}
    - {role: Viewer, scope: department, departmentId: "2"}
    - {role: Viewer, scope: project, projectId: 0}
    - {role: Cluster admin, scope: cluster, cluster: gpu-a}
    - {role: System administrator, scope: tenant}
`
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	set, diags := schema.Load(p)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%s", diags.Error())
	}
	if len(set.Resources) != 1 {
		t.Fatalf("got %d resources, want 1", len(set.Resources))
	}
	sa := set.Resources[0].(*manifest.ServiceAccount)
	zero := int32(0)
	want := []manifest.AccessRule{
		{Role: "ML engineer", ScopeRef: manifest.ScopeRef{Scope: "project", Project: "team-a"}},
		{Role: "Viewer", ScopeRef: manifest.ScopeRef{Scope: "department", DepartmentID: "2"}},
		{Role: "Viewer", ScopeRef: manifest.ScopeRef{Scope: "project", ProjectID: &zero}},
		{Role: "Cluster admin", ScopeRef: manifest.ScopeRef{Scope: "cluster", Cluster: "gpu-a"}},
		{Role: "System administrator", ScopeRef: manifest.ScopeRef{Scope: "tenant"}},
	}
	if diff := cmp.Diff(want, sa.Spec.AccessRules); diff != "" {
		t.Errorf("access rules (-want +got):\n%s", diff)
	}
	if got := sa.Document().Pos(manifest.FieldPath{"spec", "accessRules", 1, "role"}); got.Line != 7 || got.Column != 14 {
		t.Errorf("position of the second rule's role: got %s, want line 7 column 14", got)
	}
}
