package export

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/orgunit"
)

// TestAccessRulesInTheirAccount: the live rules of a service account are
// written into its spec.accessRules (role by name; scope by name with a
// Namer, by id without), one flow mapping a line, and are no documents of
// their own; an account without rules keeps no spec.
func TestAccessRulesInTheirAccount(t *testing.T) {
	c := "aaaaaaaa-0000-4000-8000-000000000001"
	tree := &orgunit.Tree{
		Clusters:    []orgunit.Cluster{{ID: c, Name: "gpu-a"}},
		Departments: []orgunit.Department{{ID: "2", Name: "research", ClusterID: c}},
		Projects:    []orgunit.Project{{ID: "12", Name: "team-a", DepartmentID: "2", ClusterID: c}},
	}
	account := func(name string) *diff.Object {
		return &diff.Object{Key: manifest.Key{Kind: manifest.KindServiceAccount, Name: name}, Attrs: map[string]string{"spec.enabled": "true"}}
	}
	rule := func(account, role, scope, id string) *diff.Object {
		return &diff.Object{Key: manifest.Key{Kind: manifest.KindAccessRule, Type: role, Scope: scope, ScopeID: id, Name: account}, ID: "1"}
	}
	live := []*diff.Object{account("ci-pipeline"), account("ci-plain"),
		rule("ci-pipeline", "Viewer", "department", "2"), rule("ci-pipeline", "ML engineer", "project", "12"),
		rule("ci-pipeline", "System administrator", "tenant", ""), rule("ci-pipeline", "Viewer", "cluster", c)}
	for _, tc := range []struct {
		name  string
		units Namer
		want  string
	}{
		{"by name", tree, `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata:
  name: ci-pipeline
spec:
  accessRules:
    - {role: ML engineer, scope: project, project: team-a}
    - {role: System administrator, scope: tenant}
    - {role: Viewer, scope: cluster, cluster: gpu-a}
    - {role: Viewer, scope: department, department: research}
`},
		{"by id", nil, `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata:
  name: ci-pipeline
spec:
  accessRules:
    - {role: ML engineer, scope: project, projectId: 12}
    - {role: System administrator, scope: tenant}
    - {role: Viewer, scope: cluster, clusterId: ` + c + `}
    - {role: Viewer, scope: department, departmentId: "2"}
`},
	} {
		docs, err := Objects(live, tc.units, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 2 {
			t.Fatalf("%s: %d documents, want the two accounts only", tc.name, len(docs))
		}
		y, err := docs[0].YAML()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, string(y)); d != "" {
			t.Errorf("%s: YAML (-want +got):\n%s", tc.name, d)
		}
		if plain, err := docs[1].YAML(); err != nil || string(plain) != "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata:\n  name: ci-plain\n" {
			t.Errorf("%s: the account without rules: %q %v", tc.name, plain, err)
		}
	}
}
