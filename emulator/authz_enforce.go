package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// grant is one live access rule of a caller: its role in a scope.
type grant struct {
	role      role
	scopeType string
	scopeID   string
}

// grants are what a service account may do. A nil *grants is unrestricted:
// users (the admin client and access keys, which act as their owner) are
// not subject to access rules in the emulator.
type grants struct {
	subject string // the service account's clientId, for messages
	list    []grant
}

// grantsOf collects the live rules of a service account by its clientId
// (subject types service-account and app). The caller holds s.mu.
func (s *Server) grantsOf(clientID string) *grants {
	g := &grants{subject: clientID}
	for _, r := range s.db.AccessRules {
		if r.DeletedAt != nil || !isServiceAccountSubject(r.SubjectType) || r.SubjectID != clientID {
			continue
		}
		if ro, found := roleByID(r.RoleID); found {
			g.list = append(g.list, grant{role: ro, scopeType: r.ScopeType, scopeID: r.ScopeID})
		}
	}
	return g
}

// covers reports whether a rule in scope (st, sid) reaches the target
// scope (tt, tid): a tenant rule reaches everything; a cluster rule its
// cluster and the departments and projects in it; a department rule the
// department and its projects; a project rule the project.
func covers(org Org, st, sid, tt, tid string) bool {
	switch st {
	case "system", "tenant":
		return true
	case "cluster":
		switch tt {
		case "cluster":
			return strings.EqualFold(tid, sid)
		case "department":
			d, found := org.department(tid)
			return found && strings.EqualFold(d.ClusterID, sid)
		case "project":
			p, found := org.project(tid)
			return found && strings.EqualFold(p.ClusterID, sid)
		}
	case "department":
		switch tt {
		case "department":
			return tid == sid
		case "project":
			p, found := org.project(tid)
			return found && p.ParentID == sid
		}
	case "project":
		return tt == "project" && tid == sid
	}
	return false
}

// allows reports whether the caller may act with need on resource res in
// the target scope.
func (g *grants) allows(org Org, res string, need access, tt, tid string) bool {
	if g == nil {
		return true
	}
	for _, gr := range g.list {
		if gr.role.Grant[res] >= need && covers(org, gr.scopeType, gr.scopeID, tt, tid) {
			return true
		}
	}
	return false
}

// mayReadAsset reports whether the caller may see asset a.
func (g *grants) mayReadAsset(org Org, a *asset) bool {
	return g.allows(org, resCredentials, accessRead, a.Scope, scopeID(a))
}

// readableAssets keeps the assets the caller may see, in order. The
// caller holds s.mu.
func (c *call) readableAssets(org Org, list []*asset) []*asset {
	if c.grants == nil {
		return list
	}
	out := list[:0:0]
	for _, a := range list {
		if c.grants.mayReadAsset(org, a) {
			out = append(out, a)
		}
	}
	return out
}

// forbidden is the 403 of the authorization step.
func (g *grants) forbidden(c *call, res string, need access, tt, tid string) *reply {
	verb := "read"
	if need == accessWrite {
		verb = "write"
	}
	where := tt
	if tid != "" {
		where += " " + tid
	}
	rep := c.fail(http.StatusForbidden, "service account %s has no access rule that lets it %s %s in %s", g.subject, verb, strings.ReplaceAll(res, "_", " "), where)
	return &rep
}

// need is the access a method asks for.
func need(method string) access {
	if method == http.MethodGet {
		return accessRead
	}
	return accessWrite
}

// authorize is the pipeline's authorization step, after request
// validation: a service account's token may use credentials only in the
// scopes its access rules grant (see roles for what each role may do), and
// may manage service accounts and other users' access keys only with a
// tenant-wide grant. Lists are filtered by the handlers (readableAssets,
// rulesList); a list that names a unit the caller may not read, and any
// other refused request, answer 403 here. Roles, the caller's own access
// keys and the org units stay open to every caller.
func (s *Server) authorize(c *call, rt *route) *reply {
	if c.who.Kind != "serviceAccount" {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.grantsOf(c.who.User)
	c.grants = g
	org := s.db.Org
	check := func(res string, n access, tt, tid string) *reply {
		if g.allows(org, res, n, tt, tid) {
			return nil
		}
		return g.forbidden(c, res, n, tt, tid)
	}
	tpl := rt.template
	switch {
	case strings.HasPrefix(tpl, assetPrefix):
		return s.authorizeAsset(c, rt, check)
	case strings.HasPrefix(tpl, "/api/v1/service-accounts"):
		return check(resServiceAccounts, need(rt.method), "tenant", "")
	case strings.HasPrefix(tpl, "/api/v1/administration/access-keys"):
		return check(resAccessKeys, need(rt.method), "tenant", "")
	case tpl == "/api/v1/authorization/access-rules" && rt.method == http.MethodPost:
		var req ruleRequest
		_ = json.Unmarshal(c.body, &req)
		return check(resAccessRules, accessWrite, req.ScopeType, req.ScopeID)
	case tpl == "/api/v1/authorization/access-rules/{accessRuleId}":
		r, rep := s.lookupRule(c)
		if rep != nil {
			return nil // the handler answers 404
		}
		return check(resAccessRules, need(rt.method), r.ScopeType, r.ScopeID)
	}
	return nil
}

// authorizeAsset checks a credentials request: a list naming a unit needs
// read there; a create needs write in the new asset's scope; a get, update
// or delete needs read or write in the asset's scope. The caller holds
// s.mu.
func (s *Server) authorizeAsset(c *call, rt *route, check func(string, access, string, string) *reply) *reply {
	if _, isItem := c.params["AssetId"]; isItem {
		a := s.db.Assets[c.params["AssetId"]]
		if a == nil {
			return nil // the handler answers 404
		}
		return check(resCredentials, need(rt.method), a.Scope, scopeID(a))
	}
	if rt.method == http.MethodPost {
		var req assetCreateRequest
		_ = json.Unmarshal(c.body, &req)
		m := req.Meta
		tid := ""
		switch {
		case m.Scope == "project" && m.ProjectID != nil:
			tid = strconv.Itoa(int(*m.ProjectID))
		case m.Scope == "department" && m.DepartmentID != nil:
			tid = *m.DepartmentID
		case m.Scope == "cluster" && m.ClusterID != nil:
			tid = *m.ClusterID
		}
		return check(resCredentials, accessWrite, m.Scope, tid)
	}
	for _, u := range []struct{ param, kind string }{{"projectId", "project"}, {"departmentId", "department"}, {"clusterId", "cluster"}} {
		if id := c.query.Get(u.param); id != "" {
			if rep := check(resCredentials, accessRead, u.kind, id); rep != nil {
				return rep
			}
		}
	}
	return nil
}
