package emulator

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigOrg is an org of n projects spread over two clusters and four
// departments; project i is named p-NNN and has id 100+i.
func bigOrg(n int) Org {
	a, b := "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	org := Org{Clusters: []Cluster{{UUID: a, Name: "gpu-a"}, {UUID: b, Name: "gpu-b"}}}
	for i := 1; i <= 4; i++ {
		c := a
		if i > 2 {
			c = b
		}
		org.Departments = append(org.Departments, Department{ID: fmt.Sprint(i), Name: fmt.Sprintf("d-%d", i), ClusterID: c})
	}
	for i := range n {
		d := org.Departments[i%4]
		org.Projects = append(org.Projects, Project{ID: fmt.Sprint(100 + i), Name: fmt.Sprintf("p-%03d", i), ParentID: d.ID, ClusterID: d.ClusterID})
	}
	return org
}

func names(t *testing.T, r resp, key string) []string {
	t.Helper()
	var out []string
	for _, u := range r.json(t)[key].([]any) {
		out = append(out, u.(map[string]any)["name"].(string))
	}
	return out
}

func TestOrgUnitsPaging(t *testing.T) {
	org := bigOrg(120)
	_, c := start(t, Options{Org: &org})
	var seen []string
	offset, pages := 0, 0
	for {
		r := c.must(200, "GET", fmt.Sprintf("/api/v1/org-unit/projects?offset=%d", offset), nil)
		seen = append(seen, names(t, r, "projects")...)
		pages++
		next, more := r.json(t)["next"].(float64)
		if !more {
			break
		}
		if int(next) != offset+orgDefaultLimit {
			t.Fatalf("next = %v after offset %d, want %d", next, offset, offset+orgDefaultLimit)
		}
		offset = int(next)
	}
	if len(seen) != 120 || pages != 3 || seen[0] != "p-000" || seen[119] != "p-119" {
		t.Errorf("paged through %d projects in %d pages (%v … %v), want 120 in 3", len(seen), pages, seen[0], seen[len(seen)-1])
	}
	// A page holds at most orgPageCap units whatever the limit: next says
	// where the rest starts.
	if r := c.must(200, "GET", "/api/v1/org-unit/projects?limit=500", nil); len(names(t, r, "projects")) != orgPageCap || r.json(t)["next"] != float64(orgPageCap) {
		t.Errorf("limit=500: %d projects, next %v; want %d and next %d", len(names(t, r, "projects")), r.json(t)["next"], orgPageCap, orgPageCap)
	}
	if r := c.must(200, "GET", "/api/v1/org-unit/projects?limit=500&offset=100", nil); len(names(t, r, "projects")) != 20 || r.json(t)["next"] != nil {
		t.Errorf("limit=500, offset=100: %d projects, next %v; want the last 20 and no next", len(names(t, r, "projects")), r.json(t)["next"])
	}
	if r := c.must(200, "GET", "/api/v1/org-unit/projects?offset=500", nil); len(r.json(t)["projects"].([]any)) != 0 {
		t.Errorf("offset past the end: %s", r.body)
	}
	c.bad("GET", "/api/v1/org-unit/projects?limit=0", nil, `"limit"`)
	c.bad("GET", "/api/v1/org-unit/projects?offset=-1", nil, "offset")
}

func TestOrgUnitsFilter(t *testing.T) {
	org := bigOrg(20)
	_, c := start(t, Options{Org: &org})
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"filterBy=name==p-007", "p-007"},
		{"filterBy=name=^p-01,parentId==2", "p-013,p-017"},
		{"filterBy=name=$9", "p-009,p-019"},
		{"filterBy=parentName==d-1,name<=p-008", "p-000,p-004,p-008"},
		{"filterBy=clusterId==bbbbbbbb-0000-4000-8000-000000000002,name!@1&sortBy=name&sortOrder=desc&limit=3", "p-007,p-006,p-003"},
		{"filterBy=name=@0&search=P-00&limit=2", "p-000,p-001"},
		{"filterBy=name==nobody", ""},
	} {
		r := c.must(200, "GET", "/api/v1/org-unit/projects?"+tc.query, nil)
		if got := strings.Join(names(t, r, "projects"), ","); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.query, got, tc.want)
		}
	}
	if got := strings.Join(names(t, c.must(200, "GET", "/api/v1/org-unit/departments?filterBy=clusterId==aaaaaaaa-0000-4000-8000-000000000001", nil), "departments"), ","); got != "d-1,d-2" {
		t.Errorf("departments of gpu-a = %q", got)
	}
	c.bad("GET", "/api/v1/org-unit/projects?filterBy=totalGpuQuota>=1", nil, "totalGpuQuota")
	c.bad("GET", "/api/v1/org-unit/projects?filterBy=colour==red", nil, "filterBy")
	c.bad("GET", "/api/v1/org-unit/projects?sortBy=avgGpuUtilization7d", nil, "avgGpuUtilization7d")
}

func TestLoadOrg(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "org.yaml")
	if err := os.WriteFile(good, []byte(`clusters: [{uuid: 11111111-2222-4333-8444-555555555555, name: gpu-x}]
departments: [{id: "5", name: ml, clusterId: 11111111-2222-4333-8444-555555555555}]
projects: [{id: "50", name: vision, parentId: "5", clusterId: 11111111-2222-4333-8444-555555555555}]
`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, c := start(t, Options{OrgFile: good})
	if got := names(t, c.must(200, "GET", "/api/v1/org-unit/projects", nil), "projects"); strings.Join(got, ",") != "vision" {
		t.Errorf("projects from the org file = %v", got)
	}
	c.must(202, "POST", credsPath+"/access-key", accessKeyBody("x", map[string]any{"projectId": 50}))
	if r := c.do("POST", credsPath+"/access-key", accessKeyBody("y", map[string]any{"projectId": 12})); r.status != 400 || !strings.Contains(r.message(), "project 12 does not exist") {
		t.Errorf("asset in a project outside the org file: %d %s", r.status, r.body)
	}
	for name, body := range map[string]string{
		"unknown-field.yaml": "clusters: []\nteams: []\n",
		"orphan.yaml":        "clusters: []\ndepartments: [{id: \"1\", name: d, clusterId: 11111111-2222-4333-8444-555555555555}]\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Options{OrgFile: p}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: New error = %v, want one naming the file", name, err)
		}
	}
}
