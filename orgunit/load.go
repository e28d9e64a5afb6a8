package orgunit

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/runai-sync/runai-sync/manifest"
)

// Need says which kinds of org units a run must read.
type Need struct {
	Clusters    bool
	Departments bool
	Projects    bool
}

// Any reports whether anything is needed.
func (n Need) Any() bool { return n.Clusters || n.Departments || n.Projects }

// Or is the union of two needs.
func (n Need) Or(o Need) Need {
	return Need{Clusters: n.Clusters || o.Clusters, Departments: n.Departments || o.Departments, Projects: n.Projects || o.Projects}
}

// Covers reports whether n reads everything o needs.
func (n Need) Covers(o Need) bool {
	return (n.Clusters || !o.Clusters) && (n.Departments || !o.Departments) && (n.Projects || !o.Projects)
}

// NeedOf is what resolving one ref takes: the kind of its scope, and the
// clusters too for a project name (CLUSTER/PROJECT names a cluster, and an
// ambiguous name is explained by cluster names).
func NeedOf(r manifest.ScopeRef) Need {
	switch r.Scope {
	case manifest.ScopeCluster:
		return Need{Clusters: true}
	case manifest.ScopeDepartment:
		return Need{Departments: true, Clusters: r.Department != ""}
	case manifest.ScopeProject:
		return Need{Projects: true, Clusters: r.Project != ""}
	}
	return Need{}
}

// Needs is what a manifest set needs: the kinds its credentials and
// Ownership credential selectors name, by name or by id.
func Needs(set *manifest.Set) Need {
	var n Need
	for _, r := range refs(set) {
		n = n.Or(NeedOf(*r.ref))
	}
	return n
}

// Lister reads the org units of a tenant; each listing follows the API's
// pages to the end. package runai's Client implements it.
type Lister interface {
	ListClusters(ctx context.Context) ([]Cluster, error)
	ListDepartments(ctx context.Context) ([]Department, error)
	ListProjects(ctx context.Context) ([]Project, error)
}

// Load reads the kinds n names, at once; the first error ends the others.
func Load(ctx context.Context, l Lister, n Need) (*Tree, error) {
	t := &Tree{Loaded: n}
	g, ctx := errgroup.WithContext(ctx)
	if n.Clusters {
		g.Go(func() (err error) { t.Clusters, err = l.ListClusters(ctx); return err })
	}
	if n.Departments {
		g.Go(func() (err error) { t.Departments, err = l.ListDepartments(ctx); return err })
	}
	if n.Projects {
		g.Go(func() (err error) { t.Projects, err = l.ListProjects(ctx); return err })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return t, nil
}
