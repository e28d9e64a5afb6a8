package orgunit

import (
	"cmp"
	"slices"
	"strings"

	"github.com/runai-sync/runai-sync/manifest"
)

// Cluster is a Run:ai cluster: its UUID (lower case) and name.
type Cluster struct {
	ID   string
	Name string
}

// Department is a Run:ai department.
type Department struct {
	ID        string
	Name      string
	ClusterID string
}

// Project is a Run:ai project; its id is the decimal string the org-unit
// API gives (an int32 in asset meta).
type Project struct {
	ID           string
	Name         string
	DepartmentID string
	ClusterID    string
}

// Tree is the org units of a tenant that a run needs. A kind not loaded
// (see Need) has no units, and Loaded says so.
type Tree struct {
	Loaded      Need
	Clusters    []Cluster
	Departments []Department
	Projects    []Project

	index index // lookups, built on first use
}

// Names maps "SCOPE ID" ("project 12", as manifest.Key.ScopeString gives
// it) to the unit's name, for every loaded unit: what plans show beside
// ids.
func (t *Tree) Names() map[string]string {
	out := make(map[string]string, len(t.Clusters)+len(t.Departments)+len(t.Projects))
	for _, c := range t.Clusters {
		out[manifest.ScopeCluster+" "+c.ID] = c.Name
	}
	for _, d := range t.Departments {
		out[manifest.ScopeDepartment+" "+d.ID] = d.Name
	}
	for _, p := range t.Projects {
		out[manifest.ScopeProject+" "+p.ID] = p.Name
	}
	return out
}

// Name is the name of the unit of a scope and id, or "" when it is not
// loaded.
func (t *Tree) Name(scope, id string) string {
	switch scope {
	case manifest.ScopeCluster:
		if c, ok := find(t.Clusters, func(c Cluster) bool { return c.ID == strings.ToLower(id) }); ok {
			return c.Name
		}
	case manifest.ScopeDepartment:
		if d, ok := find(t.Departments, func(d Department) bool { return d.ID == id }); ok {
			return d.Name
		}
	case manifest.ScopeProject:
		if p, ok := find(t.Projects, func(p Project) bool { return p.ID == id }); ok {
			return p.Name
		}
	}
	return ""
}

// clusterName is the name of a cluster id, or the id when clusters are not
// loaded.
func (t *Tree) clusterName(id string) string {
	if n := t.Name(manifest.ScopeCluster, id); n != "" {
		return n
	}
	return id
}

func find[T any](units []T, f func(T) bool) (T, bool) {
	if i := slices.IndexFunc(units, f); i >= 0 {
		return units[i], true
	}
	var zero T
	return zero, false
}

func filter[T any](units []T, f func(T) bool) []T {
	var out []T
	for _, u := range units {
		if f(u) {
			out = append(out, u)
		}
	}
	return out
}

// sorted returns the strings sorted and without repeats.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.SortFunc(s, cmp.Compare)
	return slices.Compact(s)
}

// RefName is how a manifest names the unit of scope and id: the unit's
// name, "CLUSTER/PROJECT" for a project whose name other clusters use too,
// or "" when the unit is not loaded or its name does not identify it (two
// departments or clusters of one name): then the id must be written.
func (t *Tree) RefName(scope, id string) string {
	x := t.idx()
	switch scope {
	case manifest.ScopeCluster:
		if c, ok := x.clusterByID[strings.ToLower(id)]; ok && len(x.clusterByName[c.Name]) == 1 && !strings.Contains(c.Name, "/") {
			return c.Name
		}
	case manifest.ScopeDepartment:
		if d, ok := x.deptByID[id]; ok && len(x.deptByName[d.Name]) == 1 {
			return d.Name
		}
	case manifest.ScopeProject:
		p, ok := x.projByID[id]
		if !ok || strings.Contains(p.Name, "/") {
			return ""
		}
		if len(x.projByName[p.Name]) == 1 {
			return p.Name
		}
		c, ok := x.clusterByID[p.ClusterID]
		if !ok || len(x.clusterByName[c.Name]) != 1 || strings.Contains(c.Name, "/") {
			return ""
		}
		if n := len(filter(x.projByName[p.Name], func(q Project) bool { return q.ClusterID == p.ClusterID })); n != 1 {
			return ""
		}
		return c.Name + "/" + p.Name
	}
	return ""
}
