package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ruleFields are the fields filterBy and sortBy name, as strings.
func (s *Server) ruleFields(r *accessRule) map[string]string {
	ro, _ := roleByID(r.RoleID)
	info, _ := s.resolveScope(r.ScopeType, r.ScopeID)
	deleted := ""
	if r.DeletedAt != nil {
		deleted = formatTime(*r.DeletedAt)
	}
	return map[string]string{
		"subjectId": r.SubjectID, "subjectType": r.SubjectType, "roleId": strconv.Itoa(int(r.RoleID)),
		"scopeId": r.ScopeID, "scopeType": r.ScopeType, "roleName": ro.Name, "scopeName": info.name,
		"createdAt": formatTime(r.CreatedAt), "deletedAt": deleted, "createdBy": r.CreatedBy,
		"phase": "", // the emulator reports no cluster status for rules
	}
}

// ruleOps are filterBy's operators, longest first so that "=@" is not
// read as "=".
var ruleOps = []string{"==", "!=", "<=", ">=", "=@", "!@", "=^", "=$"}

// ruleTerm is one filterBy term: field, operator, value.
type ruleTerm struct{ field, op, value string }

// parseRuleFilter splits the filterBy terms (their shape was checked
// against the spec's pattern by request validation).
func parseRuleFilter(raw []string) []ruleTerm {
	var out []ruleTerm
	for _, t := range raw {
		for _, op := range ruleOps {
			if field, value, found := strings.Cut(t, op); found && field != "" && !strings.ContainsAny(field, "=!<>") {
				out = append(out, ruleTerm{field, op, value})
				break
			}
		}
	}
	return out
}

// compareField orders two values of field: numbers for roleId, times for
// dates, strings otherwise.
func compareField(field, a, b string) int {
	switch field {
	case "roleId":
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	case "createdAt", "deletedAt":
		x, errX := time.Parse(time.RFC3339, a)
		y, errY := time.Parse(time.RFC3339, b)
		if errX == nil && errY == nil {
			return x.Compare(y)
		}
	}
	return strings.Compare(a, b)
}

func (t ruleTerm) match(fields map[string]string) bool {
	v := fields[t.field]
	switch t.op {
	case "==":
		return compareField(t.field, v, t.value) == 0
	case "!=":
		return compareField(t.field, v, t.value) != 0
	case "<=":
		return compareField(t.field, v, t.value) <= 0
	case ">=":
		return compareField(t.field, v, t.value) >= 0
	case "=@":
		return strings.Contains(strings.ToLower(v), strings.ToLower(t.value))
	case "!@":
		return !strings.Contains(strings.ToLower(v), strings.ToLower(t.value))
	case "=^":
		return strings.HasPrefix(v, t.value)
	case "=$":
		return strings.HasSuffix(v, t.value)
	}
	return false
}

// rulesList serves GET /api/v1/authorization/access-rules with the spec's
// filters: subjectType, subjectIdFilter (part of the subject id),
// subjectIds (comma-separated), scopeType, scopeId, roleId, clusterId,
// lastUpdated (rules updated at or after an RFC 3339 time), includeDeleted,
// filterBy, search (part of subject id, role name or scope name), sortBy
// and sortOrder; then offset and limit (default 50). totalRecords counts
// the matches before paging, displayRecords the page. A service account
// caller sees only the rules in scopes it may read access rules in.
func (s *Server) rulesList(c *call) reply {
	q := c.query
	var since *time.Time
	if v := q.Get("lastUpdated"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			rep := c.fail(http.StatusBadRequest, "query parameter lastUpdated must be an RFC 3339 time")
			rep.pipeline = true // request validation; the spec lists no 400 here
			return rep
		}
		since = &t
	}
	var ids map[string]bool
	if q.Has("subjectIds") {
		ids = map[string]bool{}
		for _, v := range q["subjectIds"] {
			for _, id := range strings.Split(v, ",") {
				ids[id] = true
			}
		}
	}
	includeDeleted, _ := strconv.ParseBool(q.Get("includeDeleted"))
	terms := parseRuleFilter(q["filterBy"])
	search := strings.ToLower(q.Get("search"))
	exact := map[string]string{}
	for _, k := range []string{"subjectType", "scopeType", "scopeId", "roleId"} {
		if q.Has(k) {
			exact[k] = q.Get(k)
		}
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	type entry struct {
		r      *accessRule
		fields map[string]string
	}
	var hits []entry
	for _, r := range s.db.AccessRules {
		f := s.ruleFields(r)
		keep := (includeDeleted || r.DeletedAt == nil) &&
			(ids == nil || ids[r.SubjectID]) &&
			(!q.Has("subjectIdFilter") || strings.Contains(r.SubjectID, q.Get("subjectIdFilter"))) &&
			(!q.Has("clusterId") || strings.EqualFold(r.ClusterID, q.Get("clusterId"))) &&
			(since == nil || !r.UpdatedAt.Before(*since)) &&
			(search == "" || strings.Contains(strings.ToLower(f["subjectId"]+"\n"+f["roleName"]+"\n"+f["scopeName"]), search)) &&
			c.grants.allows(s.db.Org, resAccessRules, accessRead, r.ScopeType, r.ScopeID)
		for k, v := range exact {
			keep = keep && f[k] == v
		}
		for _, t := range terms {
			keep = keep && t.match(f)
		}
		if keep {
			hits = append(hits, entry{r, f})
		}
	}
	if by := q.Get("sortBy"); by != "" {
		sort.SliceStable(hits, func(i, j int) bool { return compareField(by, hits[i].fields[by], hits[j].fields[by]) < 0 })
	}
	if q.Get("sortOrder") == "desc" {
		for i, j := 0, len(hits)-1; i < j; i, j = i+1, j-1 {
			hits[i], hits[j] = hits[j], hits[i]
		}
	}
	total := len(hits)
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit := 50
	if v, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = v
	}
	offset = min(max(offset, 0), total)
	page := hits[offset:min(offset+limit, total)]
	out := make([]map[string]any, len(page))
	for i, e := range page {
		out[i] = s.renderRule(e.r, false)
	}
	return ok(http.StatusOK, map[string]any{"totalRecords": total, "displayRecords": len(out), "accessRules": out})
}
