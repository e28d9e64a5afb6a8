package orgunit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

// account is a service account whose spec.accessRules lists rules (one
// flow mapping a line; the first rule is on line 6 of the document).
func account(name string, rules ...string) string {
	return "---\napiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: " + name + "}\nspec:\n  accessRules:\n    - " + strings.Join(rules, "\n    - ") + "\n"
}

// TestResolveAccessRuleScopes: the scopes of access rules resolve as
// credentials' do, names to ids, and Needs reads what they name.
func TestResolveAccessRuleScopes(t *testing.T) {
	set := load(t, account("ci-a",
		"{role: ML engineer, scope: project, project: team-a}",
		"{role: Viewer, scope: project, project: gpu-b/shared}",
		"{role: Viewer, scope: department, department: research}",
		"{role: Viewer, scope: cluster, cluster: gpu-b}",
		"{role: Viewer, scope: project, projectId: 13}",
		"{role: Viewer, scope: tenant}"))
	if got, want := Needs(set), (Need{Projects: true, Departments: true, Clusters: true}); got != want {
		t.Errorf("Needs = %+v, want %+v", got, want)
	}
	if ds := sampleTree().Resolve(set); len(ds) > 0 {
		t.Fatalf("Resolve: %v", ds)
	}
	var got []string
	for _, r := range set.Resources[0].(*manifest.ServiceAccount).Spec.AccessRules {
		got = append(got, r.Scope+" "+r.ScopeID())
	}
	want := []string{"project 12", "project 31", "department 2", "cluster " + gpuB, "project 13", "tenant "}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("resolved rule scopes (-want +got):\n%s", d)
	}
	if n := Needs(load(t, account("ci-b", "{role: Viewer, scope: department, departmentId: \"2\"}"))); n != (Need{Departments: true}) {
		t.Errorf("Needs of a rule by department id = %+v, want departments only", n)
	}
	if n := Needs(load(t, account("ci-c", "{role: Viewer, scope: tenant}"))); n.Any() {
		t.Errorf("Needs of a tenant rule = %+v, want nothing", n)
	}
}

// TestResolveAccessRuleFailures: an unknown name or id in a rule is one
// diagnostic at its field, with the nearest names; every failing rule is
// reported in the same run.
func TestResolveAccessRuleFailures(t *testing.T) {
	set := load(t, account("ci-a",
		"{role: Viewer, scope: project, project: team-c}",
		"{role: Viewer, scope: project, projectId: 99}",
		"{role: Viewer, scope: department, department: reserch}",
		"{role: Viewer, scope: cluster, clusterId: cccccccc-0000-4000-8000-000000000003}",
		"{role: Viewer, scope: project, project: shared}",
		"{role: Viewer, scope: project, project: team-a}"))
	var got []string
	for _, d := range sampleTree().Resolve(set) {
		got = append(got, d.String())
	}
	want := []string{
		`m.yaml:7:47: spec.accessRules[0].project: project "team-c" does not exist; did you mean "team-a"?`,
		`m.yaml:8:49: spec.accessRules[1].projectId: project 99 does not exist; the nearest projects are 12 (team-a), 13 (team-b), 30 (shared)`,
		`m.yaml:9:53: spec.accessRules[2].department: department "reserch" does not exist; did you mean "research"?`,
		`m.yaml:10:49: spec.accessRules[3].clusterId: cluster cccccccc-0000-4000-8000-000000000003 does not exist; the nearest clusters are ` + gpuA + ` (gpu-a), ` + gpuB + ` (gpu-b)`,
		`m.yaml:11:47: spec.accessRules[4].project: project "shared" exists in 2 clusters: write CLUSTER/PROJECT, gpu-a/shared or gpu-b/shared`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}

// TestDuplicateAccessRuleByNameAndID: the same role on the same project by
// name and by id is the same rule, reported at the second with the place
// of the first; the same rule in another account, or another role, is not.
func TestDuplicateAccessRuleByNameAndID(t *testing.T) {
	set := load(t, account("ci-a",
		"{role: Viewer, scope: project, project: team-a}",
		"{role: ML engineer, scope: project, projectId: 12}",
		"{role: Viewer, scope: project, projectId: 12}")+
		account("ci-b", "{role: Viewer, scope: project, projectId: 12}"))
	ds := sampleTree().Resolve(set)
	want := `m.yaml:9:7: spec.accessRules[2]: role "Viewer" on project 12 is listed twice: also at m.yaml:7:7 (spec.accessRules[0]); remove one (the same unit, once by name and once by id?)`
	if len(ds) != 1 || ds[0].String() != want {
		t.Errorf("got %v\nwant %s", ds, want)
	}
}
