package emulator

import (
	"net/http"
	"strings"
)

// parseFilterBy reads filterBy=field==value[,field==value…] (the Run:ai
// org-unit filter syntax, equality only) for the allowed fields.
func parseFilterBy(c *call, allowed ...string) (map[string]string, *reply) {
	out := map[string]string{}
	for _, raw := range c.query["filterBy"] {
		for _, term := range strings.Split(raw, ",") {
			field, value, found := strings.Cut(term, "==")
			if !found {
				rep := c.fail(http.StatusBadRequest, "filterBy term %q: only field==value is supported", term)
				return nil, &rep
			}
			known := false
			for _, a := range allowed {
				known = known || a == field
			}
			if !known {
				rep := c.fail(http.StatusBadRequest, "filterBy: unknown field %q (use one of %s)", field, strings.Join(allowed, ", "))
				return nil, &rep
			}
			out[field] = value
		}
	}
	return out, nil
}

func matches(filter map[string]string, fields map[string]string) bool {
	for k, v := range filter {
		if fields[k] != v {
			return false
		}
	}
	return true
}

// handleProjects serves GET /api/v1/org-unit/projects[?filterBy=name==X].
func (s *Server) handleProjects(c *call) reply {
	filter, rep := parseFilterBy(c, "name", "id", "parentId", "clusterId")
	if rep != nil {
		return *rep
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Project{}
	for _, p := range s.db.Org.Projects {
		if matches(filter, map[string]string{"name": p.Name, "id": p.ID, "parentId": p.ParentID, "clusterId": p.ClusterID}) {
			out = append(out, p)
		}
	}
	return ok(http.StatusOK, map[string]any{"projects": out})
}

// handleDepartments serves GET /api/v1/org-unit/departments[?filterBy=…].
func (s *Server) handleDepartments(c *call) reply {
	filter, rep := parseFilterBy(c, "name", "id", "clusterId")
	if rep != nil {
		return *rep
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Department{}
	for _, d := range s.db.Org.Departments {
		if matches(filter, map[string]string{"name": d.Name, "id": d.ID, "clusterId": d.ClusterID}) {
			out = append(out, d)
		}
	}
	return ok(http.StatusOK, map[string]any{"departments": out})
}

// handleClusters serves GET /api/v1/clusters: a JSON array.
func (s *Server) handleClusters(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := append([]Cluster{}, s.db.Org.Clusters...)
	return ok(http.StatusOK, out)
}
