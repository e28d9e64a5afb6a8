package runai

import "fmt"

// accessRuleSpec is what an access rule grants: a role, by name and id, to
// a subject in a scope. A rule cannot be updated: a changed rule is a
// delete and a create.
type accessRuleSpec struct {
	SubjectType string // subjectServiceAccount for the accounts runai-sync manages
	SubjectID   string // a service account's clientId
	Role        string // the role's name
	RoleID      int32
	ScopeType   string // tenant, cluster, department or project
	ScopeID     string
}

// String names the rule for messages and plans: "access rule ML engineer
// on project 12".
func (s accessRuleSpec) String() string {
	if s.ScopeType == "tenant" {
		return fmt.Sprintf("access rule %s on the tenant", s.Role)
	}
	return fmt.Sprintf("access rule %s on %s %s", s.Role, s.ScopeType, s.ScopeID)
}

// request is the create body of the rule.
func (s accessRuleSpec) request() accessRuleRequest {
	return accessRuleRequest{SubjectID: s.SubjectID, SubjectType: s.SubjectType, RoleID: s.RoleID, ScopeID: s.ScopeID, ScopeType: s.ScopeType}
}

// same reports whether a live rule grants exactly what s asks for. The
// deprecated subject type app counts as service-account.
func (s accessRuleSpec) same(r accessRule) bool {
	return subjectKind(r.SubjectType) == subjectKind(s.SubjectType) && r.SubjectID == s.SubjectID &&
		r.RoleID == s.RoleID && r.ScopeType == s.ScopeType && r.ScopeID == s.ScopeID
}

// spec is the live rule in the form of a desired one.
func (r accessRule) spec() accessRuleSpec {
	return accessRuleSpec{SubjectType: r.SubjectType, SubjectID: r.SubjectID, Role: r.RoleName, RoleID: r.RoleID, ScopeType: r.ScopeType, ScopeID: r.ScopeID}
}

// subjectKind folds the deprecated subject type app into service-account.
func subjectKind(t string) string {
	if t == subjectApp {
		return subjectServiceAccount
	}
	return t
}
