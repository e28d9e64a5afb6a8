package orgunit

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

var sampleRoles = []Role{{1, "System administrator"}, {3, "Editor"}, {6, "L2 researcher"}, {7, "ML engineer"}, {8, "Viewer"}, {9, "Department viewer"}}

// TestResolveRoles: role names become ids in every rule of every account;
// NeedsRoles holds only when some account lists rules.
func TestResolveRoles(t *testing.T) {
	set := load(t, account("ci-a", "{role: ML engineer, scope: project, projectId: 12}", "{role: Viewer, scope: tenant}")+
		account("ci-b", "{role: System administrator, scope: tenant}")+
		"---\napiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-c}\n")
	if !NeedsRoles(set) {
		t.Error("NeedsRoles = false for accounts with rules")
	}
	if ds := ResolveRoles(set, sampleRoles); len(ds) > 0 {
		t.Fatalf("ResolveRoles: %v", ds)
	}
	var got []int32
	for _, r := range set.Resources {
		for _, rule := range r.(*manifest.ServiceAccount).Spec.AccessRules {
			got = append(got, rule.RoleID)
		}
	}
	if d := cmp.Diff([]int32{7, 8, 1}, got); d != "" {
		t.Errorf("role ids (-want +got):\n%s", d)
	}
	if NeedsRoles(load(t, "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-c}\n"+cred("{name: a, scope: tenant}"))) {
		t.Error("NeedsRoles = true for a set without access rules")
	}
}

// TestResolveRoleFailures: an unknown role is a diagnostic at the rule's
// role field, with the role meant (other case or spacing, a typo) or the
// nearest roles; every unknown role is reported, the known ones filled.
func TestResolveRoleFailures(t *testing.T) {
	set := load(t, account("ci-a",
		"{role: ML engineer, scope: tenant}",
		"{role: ML enginer, scope: tenant}",
		"{role: ml  Engineer, scope: tenant}",
		"{role: Data scientist, scope: tenant}"))
	var got []string
	for _, d := range ResolveRoles(set, sampleRoles) {
		got = append(got, d.String())
	}
	want := []string{
		`m.yaml:8:14: spec.accessRules[1].role: role "ML enginer" does not exist; did you mean "ML engineer"?`,
		`m.yaml:9:14: spec.accessRules[2].role: role "ml  Engineer" does not exist; did you mean "ML engineer"?`,
		`m.yaml:10:14: spec.accessRules[3].role: role "Data scientist" does not exist; the nearest roles are "Department viewer", "Editor", "ML engineer"`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
	if id := set.Resources[0].(*manifest.ServiceAccount).Spec.AccessRules[0].RoleID; id != 7 {
		t.Errorf("the known role's id = %d, want 7", id)
	}
	if ds := ResolveRoles(set, nil); len(ds) != 4 || ds[0].Message != `role "ML engineer" does not exist; the tenant lists no roles` {
		t.Errorf("no roles at all: %v", ds)
	}
}
