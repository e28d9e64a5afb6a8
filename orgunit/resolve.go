package orgunit

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// index holds the lookups of a tree, built once.
type index struct {
	once          sync.Once
	clusterByID   map[string]Cluster
	clusterByName map[string][]Cluster
	deptByID      map[string]Department
	deptByName    map[string][]Department
	projByID      map[string]Project
	projByName    map[string][]Project
}

// idx builds the lookups on first use.
func (t *Tree) idx() *index {
	t.index.once.Do(func() {
		x := &t.index
		x.clusterByID, x.clusterByName = map[string]Cluster{}, map[string][]Cluster{}
		for _, c := range t.Clusters {
			x.clusterByID[c.ID] = c
			x.clusterByName[c.Name] = append(x.clusterByName[c.Name], c)
		}
		x.deptByID, x.deptByName = map[string]Department{}, map[string][]Department{}
		for _, d := range t.Departments {
			x.deptByID[d.ID] = d
			x.deptByName[d.Name] = append(x.deptByName[d.Name], d)
		}
		x.projByID, x.projByName = map[string]Project{}, map[string][]Project{}
		for _, p := range t.Projects {
			x.projByID[p.ID] = p
			x.projByName[p.Name] = append(x.projByName[p.Name], p)
		}
	})
	return &t.index
}

// placedRef is a scope reference of a document, with the path of the
// object that holds it.
type placedRef struct {
	ref  *manifest.ScopeRef
	doc  *manifest.Document
	base manifest.FieldPath
}

// refs lists the scope references of a set: each credential's metadata,
// each access rule of a service account, and each Ownership credential
// selector.
func refs(set *manifest.Set) []placedRef {
	var out []placedRef
	for _, r := range set.Resources {
		switch v := r.(type) {
		case *manifest.Credential:
			out = append(out, placedRef{&v.Metadata.ScopeRef, v.Document(), manifest.FieldPath{"metadata"}})
		case *manifest.ServiceAccount:
			for i := range v.Spec.AccessRules {
				out = append(out, placedRef{&v.Spec.AccessRules[i].ScopeRef, v.Document(), manifest.FieldPath{"spec", "accessRules", i}})
			}
		}
	}
	for _, o := range set.Ownerships {
		for i := range o.Spec.Credentials {
			out = append(out, placedRef{&o.Spec.Credentials[i].ScopeRef, o.Document(), manifest.FieldPath{"spec", "credentials", i}})
		}
	}
	return out
}

// Resolve fills in the id of every scope a set names by name, checks that
// every id exists, and then reports documents whose keys now collide (the
// same project by name and by id), naming both places. The diagnostics are
// sorted; the set is usable only when there are none.
func (t *Tree) Resolve(set *manifest.Set) manifest.Diagnostics {
	var ds manifest.Diagnostics
	for _, r := range refs(set) {
		if d, ok := t.ResolveRef(r.ref, r.doc, r.base); !ok {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		ds = duplicates(set)
	}
	return ds.Sort()
}

// duplicates reports a credential whose resolved key an earlier one has,
// and an access rule an earlier rule of its account now repeats.
func duplicates(set *manifest.Set) manifest.Diagnostics {
	var ds manifest.Diagnostics
	first := map[manifest.Key]*manifest.Document{}
	for _, r := range set.Resources {
		if sa, ok := r.(*manifest.ServiceAccount); ok {
			ds = append(ds, schema.DuplicateAccessRules(sa, func(int) bool { return true }, " (the same unit, once by name and once by id?)")...)
		}
		c, ok := r.(*manifest.Credential)
		if !ok {
			continue
		}
		k, d := c.Key(), c.Document()
		if prev, dup := first[k]; dup {
			p := manifest.FieldPath{"metadata", "name"}
			ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p,
				Message: fmt.Sprintf("duplicate %s: also defined at %s (the same %s, once by name and once by id?)", k, prev.Pos(p), k.Scope)})
			continue
		}
		first[k] = d
	}
	return ds
}

// ResolveRef resolves one scope reference found at base in doc: a name
// becomes its id (set in ref), an id is checked to exist. When it cannot,
// it returns the diagnostic at the field, with the nearest names, and
// false. The tree must hold the kinds NeedOf(*ref) names.
func (t *Tree) ResolveRef(ref *manifest.ScopeRef, doc *manifest.Document, base manifest.FieldPath) (manifest.Diagnostic, bool) {
	field := ref.IDField()
	if ref.UnitName() != "" {
		field = ref.NameField()
	}
	if field == "" {
		return manifest.Diagnostic{}, true // tenant
	}
	if !t.Loaded.Covers(NeedOf(*ref)) {
		panic(fmt.Sprintf("orgunit: %s resolved without loading its units", field))
	}
	var msg string
	switch {
	case ref.Scope == manifest.ScopeCluster && ref.Cluster != "":
		msg = t.clusterByName(ref)
	case ref.Scope == manifest.ScopeCluster:
		msg = t.clusterByID(ref)
	case ref.Scope == manifest.ScopeDepartment && ref.Department != "":
		msg = t.departmentByName(ref)
	case ref.Scope == manifest.ScopeDepartment:
		msg = t.departmentByID(ref)
	case ref.Scope == manifest.ScopeProject && ref.Project != "":
		msg = t.projectByName(ref)
	case ref.Scope == manifest.ScopeProject && ref.ProjectID != nil:
		msg = t.projectByID(ref)
	}
	if msg == "" {
		return manifest.Diagnostic{}, true
	}
	p := base.Append(field)
	return manifest.Diagnostic{Pos: doc.Pos(p), Path: p, Message: msg}, false
}

func (t *Tree) clusterByName(ref *manifest.ScopeRef) string {
	switch cs := t.idx().clusterByName[ref.Cluster]; len(cs) {
	case 0:
		return fmt.Sprintf("cluster %q does not exist%s", ref.Cluster, suggestNames(ref.Cluster, clusterNames(t.Clusters), "clusters"))
	case 1:
		ref.ClusterID = cs[0].ID
		return ""
	default:
		return fmt.Sprintf("%d clusters are named %q: give clusterId instead (%s)", len(cs), ref.Cluster, strings.Join(clusterIDs(cs), " or "))
	}
}

func (t *Tree) clusterByID(ref *manifest.ScopeRef) string {
	id := strings.ToLower(ref.ClusterID)
	if _, ok := t.idx().clusterByID[id]; ok {
		return ""
	}
	var labels []string
	for _, c := range t.Clusters {
		labels = append(labels, c.ID+" ("+c.Name+")")
	}
	return fmt.Sprintf("cluster %s does not exist%s", ref.ClusterID, suggestIDs(id, clusterIDs(t.Clusters), labels, "clusters"))
}

func (t *Tree) departmentByName(ref *manifest.ScopeRef) string {
	switch ds := t.idx().deptByName[ref.Department]; len(ds) {
	case 0:
		var names []string
		for _, d := range t.Departments {
			names = append(names, d.Name)
		}
		return fmt.Sprintf("department %q does not exist%s", ref.Department, suggestNames(ref.Department, names, "departments"))
	case 1:
		ref.DepartmentID = ds[0].ID
		return ""
	default:
		var alts []string
		for _, d := range ds {
			alts = append(alts, fmt.Sprintf("%s in cluster %s", d.ID, t.clusterName(d.ClusterID)))
		}
		return fmt.Sprintf("%d departments are named %q: give departmentId instead (%s)", len(ds), ref.Department, strings.Join(alts, " or "))
	}
}

func (t *Tree) departmentByID(ref *manifest.ScopeRef) string {
	if _, ok := t.idx().deptByID[ref.DepartmentID]; ok {
		return ""
	}
	var ids, labels []string
	for _, d := range t.Departments {
		ids, labels = append(ids, d.ID), append(labels, d.ID+" ("+d.Name+")")
	}
	return fmt.Sprintf("department %q does not exist%s", ref.DepartmentID, suggestIDs(ref.DepartmentID, ids, labels, "departments"))
}

func (t *Tree) projectByName(ref *manifest.ScopeRef) string {
	x := t.idx()
	clusterName, name, qualified := strings.Cut(ref.Project, "/")
	if !qualified {
		clusterName, name = "", ref.Project
	}
	candidates := x.projByName[name]
	inCluster := t.Projects
	if qualified {
		cs := x.clusterByName[clusterName]
		if len(cs) != 1 {
			return fmt.Sprintf("project %q: %s", ref.Project, t.clusterByName(&manifest.ScopeRef{Scope: manifest.ScopeCluster, Cluster: clusterName}))
		}
		id := cs[0].ID
		candidates = filter(candidates, func(p Project) bool { return p.ClusterID == id })
		inCluster = filter(t.Projects, func(p Project) bool { return p.ClusterID == id })
	}
	switch len(candidates) {
	case 0:
		var names []string
		for _, p := range inCluster {
			names = append(names, p.Name)
		}
		if elsewhere := x.projByName[name]; qualified && len(elsewhere) > 0 {
			var alts []string
			for _, p := range elsewhere {
				alts = append(alts, t.clusterName(p.ClusterID)+"/"+name)
			}
			return fmt.Sprintf("project %q does not exist in cluster %s; did you mean %s?", name, clusterName, strings.Join(sorted(alts), " or "))
		}
		where := ""
		if qualified {
			where = " in cluster " + clusterName
		}
		return fmt.Sprintf("project %q does not exist%s%s", name, where, suggestNames(name, names, "projects"))
	case 1:
		n, err := strconv.ParseInt(candidates[0].ID, 10, 32)
		if err != nil {
			return fmt.Sprintf("project %q has id %q, which is not an int32 as asset scopes need", ref.Project, candidates[0].ID)
		}
		id := int32(n)
		ref.ProjectID = &id
		return ""
	default:
		var alts []string
		for _, p := range candidates {
			alts = append(alts, t.clusterName(p.ClusterID)+"/"+name)
		}
		alts = sorted(alts)
		return fmt.Sprintf("project %q exists in %d clusters: write CLUSTER/PROJECT, %s", name, len(candidates), strings.Join(alts, " or "))
	}
}

func (t *Tree) projectByID(ref *manifest.ScopeRef) string {
	id := strconv.Itoa(int(*ref.ProjectID))
	if _, ok := t.idx().projByID[id]; ok {
		return ""
	}
	var ids, labels []string
	for _, p := range t.Projects {
		ids, labels = append(ids, p.ID), append(labels, p.ID+" ("+p.Name+")")
	}
	return fmt.Sprintf("project %s does not exist%s", id, suggestIDs(id, ids, labels, "projects"))
}

// suggestNames ends a "does not exist" message: "; did you mean "team-a"?"
// for a likely typo, else the nearest names.
func suggestNames(s string, names []string, plural string) string {
	names = sorted(names)
	if len(names) == 0 {
		return "; the tenant has no " + plural
	}
	if n := schema.Suggest(s, names); n != "" {
		return fmt.Sprintf("; did you mean %q?", n)
	}
	near := schema.Nearest(s, names, 3)
	for i, n := range near {
		near[i] = strconv.Quote(n)
	}
	return nearestText(plural, near)
}

// nearestText is "; the nearest projects are a, b, c" (or "is a").
func nearestText(plural string, near []string) string {
	if len(near) == 1 {
		return fmt.Sprintf("; the nearest %s is %s", strings.TrimSuffix(plural, "s"), near[0])
	}
	return fmt.Sprintf("; the nearest %s are %s", plural, strings.Join(near, ", "))
}

// suggestIDs ends a "does not exist" message about an id with the nearest
// ids, each labelled with its name.
func suggestIDs(id string, ids, labels []string, plural string) string {
	if len(ids) == 0 {
		return "; the tenant has no " + plural
	}
	byID := map[string]string{}
	for i, x := range ids {
		byID[x] = labels[i]
	}
	near := schema.Nearest(id, sorted(ids), 3)
	for i, n := range near {
		near[i] = byID[n]
	}
	return nearestText(plural, near)
}

func clusterNames(cs []Cluster) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func clusterIDs(cs []Cluster) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
