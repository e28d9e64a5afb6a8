package runai

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/orgunit"
)

// manyProjects is an org of n projects over two clusters.
func manyProjects(n int) emulator.Org {
	a, b := "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	org := emulator.Org{
		Clusters:    []emulator.Cluster{{UUID: a, Name: "gpu-a"}, {UUID: strings.ToUpper(b), Name: "gpu-b"}},
		Departments: []emulator.Department{{ID: "1", Name: "d-a", ClusterID: a}, {ID: "2", Name: "d-b", ClusterID: strings.ToUpper(b)}},
	}
	for i := range n {
		d := org.Departments[i%2]
		org.Projects = append(org.Projects, emulator.Project{ID: fmt.Sprint(1000 + i), Name: fmt.Sprintf("p-%04d", i), ParentID: d.ID, ClusterID: d.ClusterID})
	}
	return org
}

// TestListOrgUnitsFollowsPages: 1,200 projects come in pages (the client
// asks for 500, the largest the spec allows; the emulator caps pages at
// 100), in order, and nothing is missed.
func TestListOrgUnitsFollowsPages(t *testing.T) {
	org := manyProjects(1200)
	e := setup(t, emulator.Options{Org: &org})
	e.em.Server.ResetCounts()
	tree, err := orgunit.Load(context.Background(), e.c, orgunit.Need{Clusters: true, Departments: true, Projects: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Projects) != 1200 || tree.Projects[0].Name != "p-0000" || tree.Projects[1199].Name != "p-1199" {
		t.Fatalf("got %d projects", len(tree.Projects))
	}
	if p := tree.Projects[1]; p.ID != "1001" || p.DepartmentID != "2" || p.ClusterID != "bbbbbbbb-0000-4000-8000-000000000002" {
		t.Errorf("project 1 = %+v (cluster ids in lower case)", p)
	}
	if len(tree.Departments) != 2 || len(tree.Clusters) != 2 || tree.Clusters[1].ID != "bbbbbbbb-0000-4000-8000-000000000002" {
		t.Errorf("departments %+v, clusters %+v", tree.Departments, tree.Clusters)
	}
	counts := e.em.Server.Counts()
	if counts["GET /api/v1/org-unit/projects"] != 12 || counts["GET /api/v1/org-unit/departments"] != 1 || counts["GET /api/v1/clusters"] != 1 {
		t.Errorf("requests = %v, want 12 project pages, 1 department and 1 cluster listing", counts)
	}
}

// TestLoadOnlyWhatIsNeeded: a Need of projects alone reads projects alone.
func TestLoadOnlyWhatIsNeeded(t *testing.T) {
	e := setup(t, emulator.Options{})
	e.em.Server.ResetCounts()
	tree, err := orgunit.Load(context.Background(), e.c, orgunit.Need{Projects: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Projects) != 3 || tree.Clusters != nil || tree.Departments != nil {
		t.Errorf("tree = %+v", tree)
	}
	if got := e.em.Server.Counts(); len(got) != 2 || got["GET /api/v1/org-unit/projects"] != 1 {
		t.Errorf("requests = %v, want the token and one project listing", got)
	}
}
