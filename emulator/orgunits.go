package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// orgCreatedAt is when every org unit of the emulator was made: the org is
// configuration, not something the API creates.
var orgCreatedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Paging of the org-unit listings, as the spec's Limit parameter says; and
// the most a page holds whatever the limit asks (a server may cap pages:
// the spec leaves next's semantics open, so clients must follow it).
const (
	orgDefaultLimit = 50
	orgMaxLimit     = 500
	orgPageCap      = 100
)

// filterOps are the filterBy operators of the spec, longest first so that
// "=@" is not read as "==" or "=".
var filterOps = []string{"==", "!=", "<=", ">=", "=@", "!@", "=^", "=$"}

// filterTerm is one field-operator-value term of filterBy.
type filterTerm struct{ field, op, value string }

// match applies the term to a string field.
func (t filterTerm) match(v string) bool {
	switch t.op {
	case "==":
		return v == t.value
	case "!=":
		return v != t.value
	case "<=":
		return v <= t.value
	case ">=":
		return v >= t.value
	case "=@":
		return strings.Contains(v, t.value)
	case "!@":
		return !strings.Contains(v, t.value)
	case "=^":
		return strings.HasPrefix(v, t.value)
	case "=$":
		return strings.HasSuffix(v, t.value)
	}
	return false
}

// orgQuery is a parsed org-unit listing query: filterBy, search, sortBy,
// sortOrder, offset and limit.
type orgQuery struct {
	terms  []filterTerm
	search string
	sortBy string
	desc   bool
	offset int
	limit  int
}

// parseOrgQuery reads the listing parameters. The spec validated their
// shape already; this rejects what the emulator does not model (filters
// and sorts on quota and usage metrics, which it has no data for) with a
// 400 naming the field, rather than answering as if it did.
func parseOrgQuery(c *call, fields []string) (orgQuery, *reply) {
	q := orgQuery{limit: orgDefaultLimit, search: c.query.Get("search"), sortBy: c.query.Get("sortBy"), desc: c.query.Get("sortOrder") == "desc"}
	bad := func(format string, args ...any) (orgQuery, *reply) {
		rep := c.fail(http.StatusBadRequest, format, args...)
		return orgQuery{}, &rep
	}
	for _, raw := range c.query["filterBy"] {
		for _, term := range strings.Split(raw, ",") {
			t, ok := parseTerm(term)
			if !ok {
				return bad("filterBy term %q: use field-name operator value, with one of %s", term, strings.Join(filterOps, " "))
			}
			if !slices.Contains(fields, t.field) {
				return bad("filterBy: the emulator filters by %s only, not by %q", strings.Join(fields, ", "), t.field)
			}
			q.terms = append(q.terms, t)
		}
	}
	if q.sortBy != "" && !slices.Contains(fields, q.sortBy) {
		return bad("sortBy: the emulator sorts by %s only, not by %q", strings.Join(fields, ", "), q.sortBy)
	}
	if v := c.query.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return bad("query parameter \"offset\": must be a whole number of at least 0")
		}
		q.offset = n
	}
	if v := c.query.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > orgMaxLimit {
			return bad("query parameter \"limit\": must be between 1 and %d", orgMaxLimit)
		}
		q.limit = n
	}
	return q, nil
}

func parseTerm(term string) (filterTerm, bool) {
	best := -1
	var op string
	for _, o := range filterOps {
		if i := strings.Index(term, o); i > 0 && (best < 0 || i < best) {
			best, op = i, o
		}
	}
	if best < 0 || best+len(op) == len(term) {
		return filterTerm{}, false
	}
	return filterTerm{field: term[:best], op: op, value: term[best+len(op):]}, true
}

// page filters, sorts and pages units whose string fields fields gives; it
// returns the page and the offset of the next one (0: this is the last).
func page[T any](q orgQuery, units []T, name func(T) string, fields func(T) map[string]string) ([]T, int) {
	var out []T
	for _, u := range units {
		f := fields(u)
		keep := q.search == "" || strings.Contains(strings.ToLower(name(u)), strings.ToLower(q.search))
		for _, t := range q.terms {
			keep = keep && t.match(f[t.field])
		}
		if keep {
			out = append(out, u)
		}
	}
	if q.sortBy != "" {
		slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(fields(a)[q.sortBy], fields(b)[q.sortBy]) })
	}
	if q.desc {
		slices.Reverse(out)
	}
	if q.offset >= len(out) {
		return []T{}, 0
	}
	end := min(q.offset+min(q.limit, orgPageCap), len(out))
	next := 0
	if end < len(out) {
		next = end
	}
	return out[q.offset:end], next
}

// listReply is the body of a paged listing: the units under key, and next
// when more follow.
func listReply(key string, units any, next int) reply {
	body := map[string]any{key: units}
	if next > 0 {
		body["next"] = next
	}
	return ok(http.StatusOK, body)
}

// projectFields are the project fields the emulator filters and sorts by.
var projectFields = []string{"name", "clusterId", "departmentId", "parentId", "parentName", "phase", "createdAt"}

// handleProjects serves GET /api/v1/org-unit/projects (get_projects):
// filterBy, search, sortBy, sortOrder, offset and limit (default 50).
func (s *Server) handleProjects(c *call) reply {
	q, rep := parseOrgQuery(c, projectFields)
	if rep != nil {
		return *rep
	}
	s.mu.RLock()
	org := s.db.Org
	s.mu.RUnlock()
	parentName := func(p Project) string {
		d, _ := org.department(p.ParentID)
		return d.Name
	}
	units, next := page(q, org.Projects, func(p Project) string { return p.Name }, func(p Project) map[string]string {
		return map[string]string{"name": p.Name, "clusterId": p.ClusterID, "departmentId": p.ParentID, "parentId": p.ParentID,
			"parentName": parentName(p), "phase": "Ready", "createdAt": orgCreatedAt.Format(time.RFC3339)}
	})
	out := make([]map[string]any, len(units))
	for i, p := range units {
		out[i] = map[string]any{
			"id": p.ID, "name": p.Name, "parentId": p.ParentID, "clusterId": p.ClusterID, "description": "",
			"createdAt": orgCreatedAt, "updatedAt": orgCreatedAt, "createdBy": AdminUser, "updatedBy": AdminUser,
			"enforceRunaiScheduler": true, "totalResources": map[string]any{"gpuQuota": 0},
			"effective": map[string]any{}, "status": map[string]any{"phase": "Ready", "namespace": "runai-" + p.Name},
			"resources": []any{map[string]any{"gpu": map[string]any{"deserved": 0}}},
		}
	}
	return listReply("projects", out, next)
}

// departmentFields are the department fields the emulator filters and
// sorts by.
var departmentFields = []string{"name", "clusterId", "createdAt"}

// handleDepartments serves GET /api/v1/org-unit/departments
// (get_departments), paged and filtered like projects.
func (s *Server) handleDepartments(c *call) reply {
	q, rep := parseOrgQuery(c, departmentFields)
	if rep != nil {
		return *rep
	}
	s.mu.RLock()
	org := s.db.Org
	s.mu.RUnlock()
	units, next := page(q, org.Departments, func(d Department) string { return d.Name }, func(d Department) map[string]string {
		return map[string]string{"name": d.Name, "clusterId": d.ClusterID, "createdAt": orgCreatedAt.Format(time.RFC3339)}
	})
	verbose := c.query.Get("verbosity") == "verbose"
	out := make([]map[string]any, len(units))
	for i, d := range units {
		u := map[string]any{
			"id": d.ID, "name": d.Name, "clusterId": d.ClusterID, "description": "",
			"createdAt": orgCreatedAt, "updatedAt": orgCreatedAt, "createdBy": AdminUser, "updatedBy": AdminUser,
			"totalResources": map[string]any{"gpuQuota": 0},
			"resources":      []any{map[string]any{"gpu": map[string]any{"deserved": 0}}},
		}
		if verbose {
			u["status"] = map[string]any{"quotaStatus": map[string]any{}}
		}
		out[i] = u
	}
	return listReply("departments", out, next)
}

// handleClusters serves GET /api/v1/clusters (get_clusters): a JSON array,
// not paged.
func (s *Server) handleClusters(c *call) reply {
	s.mu.RLock()
	clusters := s.db.Org.Clusters
	s.mu.RUnlock()
	out := make([]map[string]any, len(clusters))
	for i, cl := range clusters {
		out[i] = map[string]any{"uuid": cl.UUID, "tenantId": tenantID, "name": cl.Name, "createdAt": orgCreatedAt}
		if c.query.Get("verbosity") != "metadata" {
			out[i]["status"] = map[string]any{"state": "Connected"}
			out[i]["version"] = "2.24.0"
		}
	}
	return ok(http.StatusOK, out)
}
