package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// accessRule is a Run:ai access rule: a role given to a subject in a scope.
// A deleted rule is kept with DeletedAt (listed with includeDeleted=true).
type accessRule struct {
	ID          int32      `json:"id"`
	SubjectType string     `json:"subjectType"`
	SubjectID   string     `json:"subjectId"`
	RoleID      int32      `json:"roleId"`
	ScopeType   string     `json:"scopeType"`
	ScopeID     string     `json:"scopeId"`
	ClusterID   string     `json:"clusterId,omitempty"`
	CreatedBy   string     `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	DeletedAt   *time.Time `json:"deletedAt,omitempty"`
}

// Subject types of access rules. "app" is the deprecated name of
// "service-account"; both name a service account by its clientId.
const (
	subjectUser           = "user"
	subjectGroup          = "group"
	subjectServiceAccount = "service-account"
	subjectApp            = "app"
)

// isServiceAccountSubject reports the two subject types of service accounts.
func isServiceAccountSubject(t string) bool { return t == subjectServiceAccount || t == subjectApp }

// tenantScopeName is the scopeName of tenant-scope rules.
const tenantScopeName = "tenant"

// ruleRequest is AccessRuleCreationFields.
type ruleRequest struct {
	SubjectID   string `json:"subjectId"`
	SubjectType string `json:"subjectType"`
	RoleID      int32  `json:"roleId"`
	ScopeID     string `json:"scopeId"`
	ScopeType   string `json:"scopeType"`
	ClusterID   string `json:"clusterId"`
}

// scopeInfo is what a rule's scope resolves to in the organisation.
type scopeInfo struct {
	name, path, cluster string
}

// resolveScope checks that a scope exists and returns its name, its path
// of names from the tenant down, and its cluster; msg is the 400 message
// otherwise. The caller holds s.mu.
func (s *Server) resolveScope(scopeType, scopeID string) (info scopeInfo, msg string) {
	org := s.db.Org
	switch scopeType {
	case "tenant":
		if scopeID != strconv.Itoa(tenantID) {
			return info, "scopeId of scope tenant must be the tenant id " + strconv.Itoa(tenantID)
		}
		return scopeInfo{name: tenantScopeName, path: tenantScopeName}, ""
	case "cluster":
		c, found := org.cluster(scopeID)
		if !found {
			return info, "cluster " + strconv.Quote(scopeID) + " does not exist"
		}
		return scopeInfo{name: c.Name, path: tenantScopeName + "/" + c.Name, cluster: c.UUID}, ""
	case "department":
		d, found := org.department(scopeID)
		if !found {
			return info, "department " + strconv.Quote(scopeID) + " does not exist"
		}
		c, _ := org.cluster(d.ClusterID)
		return scopeInfo{name: d.Name, path: tenantScopeName + "/" + c.Name + "/" + d.Name, cluster: d.ClusterID}, ""
	case "project":
		p, found := org.project(scopeID)
		if !found {
			return info, "project " + strconv.Quote(scopeID) + " does not exist"
		}
		d, _ := org.department(p.ParentID)
		c, _ := org.cluster(p.ClusterID)
		return scopeInfo{name: p.Name, path: tenantScopeName + "/" + c.Name + "/" + d.Name + "/" + p.Name, cluster: p.ClusterID}, ""
	case "system":
		return info, "scope system is the platform owner's; a tenant's rules use scope tenant (scopeId " + strconv.Itoa(tenantID) + ")"
	}
	return info, "unknown scopeType " + strconv.Quote(scopeType)
}

// checkSubject returns "" when the subject exists, else the 400 message:
// a service account by clientId, a user the emulator knows (the admin user
// or an access key's owner), any non-empty group name. The caller holds
// s.mu.
func (s *Server) checkSubject(subjectType, subjectID string) string {
	if subjectID == "" {
		return "subjectId is required"
	}
	switch {
	case isServiceAccountSubject(subjectType):
		for _, sa := range s.db.ServiceAccounts {
			if sa.ClientID == subjectID {
				return ""
			}
			if sa.ID == subjectID {
				return "subjectId of a service account is its clientId (" + sa.ClientID + "), not its id"
			}
		}
		return "service account with clientId " + strconv.Quote(subjectID) + " does not exist"
	case subjectType == subjectUser:
		if subjectID == AdminUser {
			return ""
		}
		for _, k := range s.db.AccessKeys {
			if k.Owner == subjectID {
				return ""
			}
		}
		return "user " + strconv.Quote(subjectID) + " does not exist"
	case subjectType == subjectGroup:
		return ""
	}
	return "unknown subjectType " + strconv.Quote(subjectType)
}

// renderRule is the AccessRule schema; byID adds scopePath
// (AccessRuleById). The caller holds s.mu.
func (s *Server) renderRule(r *accessRule, byID bool) map[string]any {
	ro, _ := roleByID(r.RoleID)
	info, _ := s.resolveScope(r.ScopeType, r.ScopeID)
	out := map[string]any{
		"id": r.ID, "subjectId": r.SubjectID, "subjectType": r.SubjectType, "roleId": r.RoleID, "roleName": ro.Name,
		"scopeId": r.ScopeID, "scopeType": r.ScopeType, "scopeName": info.name,
		"createdAt": formatTime(r.CreatedAt), "updatedAt": formatTime(r.UpdatedAt), "createdBy": r.CreatedBy, "tenantId": tenantID,
	}
	if r.ClusterID != "" {
		out["clusterId"] = r.ClusterID
	}
	if r.DeletedAt != nil {
		out["deletedAt"] = formatTime(*r.DeletedAt)
	}
	if byID {
		out["scopePath"] = info.path
	}
	return out
}

// ruleCreate serves POST /api/v1/authorization/access-rules: 201 with the
// rule; 400 for an unknown role, subject or scope; 409 when the same role
// is given to the same subject in the same scope already.
func (s *Server) ruleCreate(c *call) reply {
	var req ruleRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		return c.fail(http.StatusBadRequest, "request body: %s", jsonProblem(err))
	}
	ro, found := roleByID(req.RoleID)
	if !found {
		return c.fail(http.StatusBadRequest, "role %d does not exist (GET /api/v1/authorization/roles lists the roles)", req.RoleID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg := s.checkSubject(req.SubjectType, req.SubjectID); msg != "" {
		return c.fail(http.StatusBadRequest, "%s", msg)
	}
	info, msg := s.resolveScope(req.ScopeType, req.ScopeID)
	if msg != "" {
		return c.fail(http.StatusBadRequest, "%s", msg)
	}
	cluster := info.cluster
	if req.ClusterID != "" {
		if !strings.EqualFold(req.ClusterID, info.cluster) {
			return c.fail(http.StatusBadRequest, "clusterId %s is not the cluster of %s %s", req.ClusterID, req.ScopeType, req.ScopeID)
		}
	}
	for _, r := range s.db.AccessRules {
		if r.DeletedAt == nil && r.SubjectType == req.SubjectType && r.SubjectID == req.SubjectID &&
			r.RoleID == req.RoleID && r.ScopeType == req.ScopeType && r.ScopeID == req.ScopeID {
			return c.fail(http.StatusConflict, "access rule already exists: %s %s is %s in %s %s (id %d)",
				req.SubjectType, req.SubjectID, ro.Name, req.ScopeType, info.name, r.ID)
		}
	}
	s.db.RuleCounter++
	now := c.now.UTC()
	r := &accessRule{
		ID: s.db.RuleCounter, SubjectType: req.SubjectType, SubjectID: req.SubjectID, RoleID: req.RoleID,
		ScopeType: req.ScopeType, ScopeID: req.ScopeID, ClusterID: cluster,
		CreatedBy: c.who.User, CreatedAt: now, UpdatedAt: now,
	}
	s.db.AccessRules = append(s.db.AccessRules, r)
	s.changed()
	return ok(http.StatusCreated, s.renderRule(r, false))
}

// lookupRule finds a live (not deleted) rule by the path's id; the reply
// is the 404 otherwise. The caller holds s.mu.
func (s *Server) lookupRule(c *call) (*accessRule, *reply) {
	raw := c.params["accessRuleId"]
	id, err := strconv.ParseInt(raw, 10, 32)
	if err == nil {
		for _, r := range s.db.AccessRules {
			if r.ID == int32(id) && r.DeletedAt == nil {
				return r, nil
			}
		}
	}
	rep := c.fail(http.StatusNotFound, "access rule %s not found", raw)
	return nil, &rep
}

// ruleGet serves GET /api/v1/authorization/access-rules/{accessRuleId}.
func (s *Server) ruleGet(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, rep := s.lookupRule(c)
	if rep != nil {
		return *rep
	}
	return ok(http.StatusOK, s.renderRule(r, true))
}

// ruleDelete serves DELETE /api/v1/authorization/access-rules/{id}: 204;
// the rule stops granting at once.
func (s *Server) ruleDelete(c *call) reply {
	return writeTo(s, c, s.lookupRule, func(r *accessRule) reply {
		now := c.now.UTC()
		r.DeletedAt, r.UpdatedAt = &now, now
		return reply{status: http.StatusNoContent}
	})
}
