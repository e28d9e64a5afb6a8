package orgunit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

const (
	gpuA = "aaaaaaaa-0000-4000-8000-000000000001"
	gpuB = "bbbbbbbb-0000-4000-8000-000000000002"
)

func sampleTree() *Tree {
	return &Tree{
		Loaded:   Need{Clusters: true, Departments: true, Projects: true},
		Clusters: []Cluster{{ID: gpuA, Name: "gpu-a"}, {ID: gpuB, Name: "gpu-b"}},
		Departments: []Department{{ID: "1", Name: "default", ClusterID: gpuA}, {ID: "2", Name: "research", ClusterID: gpuA},
			{ID: "3", Name: "ml", ClusterID: gpuA}, {ID: "4", Name: "ml", ClusterID: gpuB}},
		Projects: []Project{{ID: "7", Name: "sandbox", DepartmentID: "1", ClusterID: gpuA},
			{ID: "12", Name: "team-a", DepartmentID: "2", ClusterID: gpuA}, {ID: "13", Name: "team-b", DepartmentID: "2", ClusterID: gpuA},
			{ID: "30", Name: "shared", DepartmentID: "3", ClusterID: gpuA}, {ID: "31", Name: "shared", DepartmentID: "4", ClusterID: gpuB}},
	}
}

// load validates manifests given as text (one file, m.yaml).
func load(t *testing.T, text string) *manifest.Set {
	t.Helper()
	docs, ds := manifest.Parse("m.yaml", []byte(text))
	if len(ds) > 0 {
		t.Fatalf("parse: %v", ds)
	}
	set, ds := schema.Validate(docs)
	if ds.HasErrors() {
		t.Fatalf("validate: %v", ds)
	}
	return set
}

func cred(meta string) string {
	return "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata: " + meta + "\nspec: {type: password, user: u, password: {fromEnv: PW}}\n"
}

func TestResolveNames(t *testing.T) {
	set := load(t, cred("{name: a, scope: project, project: team-a}")+
		cred("{name: b, scope: project, project: gpu-b/shared}")+
		cred("{name: c, scope: department, department: research}")+
		cred("{name: d, scope: cluster, cluster: gpu-b}")+
		cred("{name: e, scope: project, projectId: 13}")+
		cred("{name: f, scope: tenant}")+
		"---\napiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: o}\nspec:\n  credentials: [{scope: project, project: gpu-a/shared}]\n")
	if ds := sampleTree().Resolve(set); len(ds) > 0 {
		t.Fatalf("Resolve: %v", ds)
	}
	var got []string
	for _, r := range set.Resources {
		got = append(got, r.Key().ScopeString())
	}
	want := []string{"project 12", "project 31", "department 2", "cluster " + gpuB, "project 13", "tenant"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("resolved scopes (-want +got):\n%s", d)
	}
	if sel := set.Ownerships[0].Spec.Credentials[0]; sel.ScopeID() != "30" {
		t.Errorf("selector scope id = %q, want 30", sel.ScopeID())
	}
	if !set.Ownerships[0].Owns(manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "30", Name: "x"}) {
		t.Error("the resolved selector does not own a credential of project 30")
	}
}

func TestResolveFailures(t *testing.T) {
	for _, tc := range []struct {
		meta string
		want string
	}{
		{"{name: a, scope: project, project: team-c}", `m.yaml:4:46: metadata.project: project "team-c" does not exist; did you mean "team-a"?`},
		{"{name: a, scope: project, projectId: 99}", `metadata.projectId: project 99 does not exist; the nearest projects are 12 (team-a), 13 (team-b), 30 (shared)`},
		{"{name: a, scope: project, project: shared}", `metadata.project: project "shared" exists in 2 clusters: write CLUSTER/PROJECT, gpu-a/shared or gpu-b/shared`},
		{"{name: a, scope: project, project: gpu-b/team-a}", `project "team-a" does not exist in cluster gpu-b; did you mean gpu-a/team-a?`},
		{"{name: a, scope: project, project: gpu-b/team-x}", `project "team-x" does not exist in cluster gpu-b; the nearest project is "shared"`},
		{"{name: a, scope: project, project: gpu-c/team-a}", `metadata.project: project "gpu-c/team-a": cluster "gpu-c" does not exist; did you mean "gpu-a"?`},
		{"{name: a, scope: department, department: reserch}", `metadata.department: department "reserch" does not exist; did you mean "research"?`},
		{"{name: a, scope: department, department: ml}", `2 departments are named "ml": give departmentId instead (3 in cluster gpu-a or 4 in cluster gpu-b)`},
		{"{name: a, scope: department, departmentId: \"9\"}", `metadata.departmentId: department "9" does not exist`},
		{"{name: a, scope: cluster, clusterId: cccccccc-0000-4000-8000-000000000003}", `metadata.clusterId: cluster cccccccc-0000-4000-8000-000000000003 does not exist`},
		{"{name: a, scope: cluster, cluster: zzzzzz}", `cluster "zzzzzz" does not exist; the nearest clusters are "gpu-a", "gpu-b"`},
	} {
		ds := sampleTree().Resolve(load(t, cred(tc.meta)))
		if len(ds) != 1 || !strings.Contains(ds[0].String(), tc.want) {
			t.Errorf("%s:\n got %v\nwant one diagnostic containing %s", tc.meta, ds, tc.want)
		}
	}
}

// TestDuplicateByNameAndID: the same project by name and by id is one key;
// the second document is reported with the place of the first.
func TestDuplicateByNameAndID(t *testing.T) {
	set := load(t, cred("{name: a, scope: project, project: team-a}")+cred("{name: a, scope: project, projectId: 12}"))
	ds := sampleTree().Resolve(set)
	if len(ds) != 1 || !strings.Contains(ds[0].String(), "m.yaml:9:18: metadata.name: duplicate Credential password a (project 12): also defined at m.yaml:4:18") {
		t.Errorf("got %v", ds)
	}
}

func TestNeedsAndNames(t *testing.T) {
	set := load(t, cred("{name: a, scope: project, projectId: 12}")+cred("{name: b, scope: department, departmentId: \"2\"}"))
	if got, want := Needs(set), (Need{Projects: true, Departments: true}); got != want {
		t.Errorf("Needs = %+v, want %+v", got, want)
	}
	set = load(t, cred("{name: a, scope: project, project: team-a}"))
	if got, want := Needs(set), (Need{Projects: true, Clusters: true}); got != want {
		t.Errorf("Needs by name = %+v, want %+v", got, want)
	}
	tr := sampleTree()
	if n := tr.Names()["project 12"]; n != "team-a" {
		t.Errorf("Names()[project 12] = %q", n)
	}
	for _, tc := range [][3]string{{"project", "12", "team-a"}, {"project", "31", "gpu-b/shared"}, {"department", "3", ""}, {"cluster", gpuA, "gpu-a"}, {"project", "99", ""}} {
		if got := tr.RefName(tc[0], tc[1]); got != tc[2] {
			t.Errorf("RefName(%s, %s) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}
