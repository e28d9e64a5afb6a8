package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// assetFilter holds the list filters of the credentials endpoints.
type assetFilter struct {
	name        *string
	scope       string
	projectID   string
	department  string
	cluster     string
	descendants bool
}

// parseFilter reads the list query; the reply is a 400 for a bad
// combination (the spec's types were checked by validation already).
func parseFilter(c *call) (assetFilter, *reply) {
	q := c.query
	f := assetFilter{scope: q.Get("scope"), projectID: q.Get("projectId"), department: q.Get("departmentId"), cluster: strings.ToLower(q.Get("clusterId"))}
	if q.Has("name") {
		n := q.Get("name")
		f.name = &n
	}
	f.descendants, _ = strconv.ParseBool(q.Get("includeDescendants"))
	switch f.scope {
	case "", "tenant", "cluster", "department", "project":
	default:
		rep := c.fail(http.StatusBadRequest, "query parameter scope must be one of tenant, cluster, department, project (got %q)", f.scope)
		rep.pipeline = true // request validation, which the spec does not list for every list
		return f, &rep
	}
	if f.scope != "" && f.descendants {
		rep := c.fail(http.StatusBadRequest, "query parameters scope and includeDescendants are mutually exclusive")
		rep.pipeline = true
		return f, &rep
	}
	return f, nil
}

// match applies the filters as the spec's parameter descriptions say: a
// scope filter keeps only assets of that scope (inside the given unit); a
// unit id without scope keeps the assets visible from that unit (its own,
// its ancestors', the tenant's), and with includeDescendants also those of
// the units below it.
func (f assetFilter) match(org Org, a *asset) bool {
	if f.name != nil && a.Name != *f.name {
		return false
	}
	if f.scope != "" && a.Scope != f.scope {
		return false
	}
	units := []struct{ kind, id string }{{"project", f.projectID}, {"department", f.department}, {"cluster", f.cluster}}
	for _, u := range units {
		if u.id == "" {
			continue
		}
		inside := contains(org, u.kind, u.id, a)
		switch {
		case f.scope != "":
			if !inside {
				return false
			}
		case f.descendants:
			if !inside && !visibleFrom(org, u.kind, u.id, a) {
				return false
			}
		default:
			if !visibleFrom(org, u.kind, u.id, a) {
				return false
			}
		}
	}
	return true
}

// clusterOf is the cluster of a project, department or cluster asset.
func clusterOf(org Org, a *asset) string {
	switch a.Scope {
	case "project":
		p, _ := org.project(scopeID(a))
		return p.ClusterID
	case "department":
		d, _ := org.department(a.DepartmentID)
		return d.ClusterID
	case "cluster":
		return a.ClusterID
	}
	return ""
}

// contains reports whether asset a lives in the unit or below it.
func contains(org Org, kind, id string, a *asset) bool {
	switch kind {
	case "project":
		return a.Scope == "project" && scopeID(a) == id
	case "department":
		if a.Scope == "department" {
			return a.DepartmentID == id
		}
		p, found := org.project(scopeID(a))
		return a.Scope == "project" && found && p.ParentID == id
	case "cluster":
		return a.Scope != "tenant" && a.Scope != "system" && clusterOf(org, a) == id
	}
	return false
}

// visibleFrom reports whether asset a can be used in the unit: its own
// assets and those of its ancestors and the tenant.
func visibleFrom(org Org, kind, id string, a *asset) bool {
	switch a.Scope {
	case "tenant", "system":
		return true
	}
	switch kind {
	case "project":
		p, found := org.project(id)
		if !found {
			return false
		}
		return contains(org, "project", id, a) ||
			(a.Scope == "department" && a.DepartmentID == p.ParentID) ||
			(a.Scope == "cluster" && a.ClusterID == p.ClusterID)
	case "department":
		d, found := org.department(id)
		if !found {
			return false
		}
		return (a.Scope == "department" && a.DepartmentID == id) || (a.Scope == "cluster" && a.ClusterID == d.ClusterID)
	case "cluster":
		return a.Scope == "cluster" && a.ClusterID == id
	}
	return false
}

// filtered returns the assets of type t (all types when t is nil) that
// match f, in creation order. The caller holds s.mu.
func (s *Server) filtered(t *assetType, f assetFilter) []*asset {
	var out []*asset
	for _, a := range s.db.Assets {
		if (t == nil || a.Type == t.path) && f.match(s.db.Org, a) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// assetList serves GET /api/v1/asset/credentials/<type>.
func (s *Server) assetList(t *assetType) handlerFunc {
	return func(c *call) reply { return s.listAssets(c, t) }
}

// assetListAll serves GET /api/v1/asset/credentials: every type, each entry
// with spec.<kind>.
func (s *Server) assetListAll(c *call) reply { return s.listAssets(c, nil) }

func (s *Server) listAssets(c *call, t *assetType) reply {
	f, rep := parseFilter(c)
	if rep != nil {
		return *rep
	}
	v := viewFromQuery(c)
	v.combined = t == nil
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := c.readableAssets(s.db.Org, s.filtered(t, f))
	entries := make([]assetJSON, len(list))
	for i, a := range list {
		entries[i] = s.render(a, v)
	}
	return ok(http.StatusOK, map[string]any{"entries": entries})
}

// assetGet serves GET /api/v1/asset/credentials/<type>/{AssetId}.
func (s *Server) assetGet(t *assetType) handlerFunc {
	return func(c *call) reply {
		s.mu.RLock()
		defer s.mu.RUnlock()
		a, rep := s.lookupAsset(c, t)
		if rep != nil {
			return *rep
		}
		return ok(http.StatusOK, s.render(a, viewFromQuery(c)))
	}
}
