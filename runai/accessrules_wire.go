package runai

import (
	"strconv"
)

// accessRulesPath is the collection of access rules.
const accessRulesPath = "/api/v1/authorization/access-rules"

// accessRulePath is one access rule.
func accessRulePath(id int32) string { return accessRulesPath + "/" + strconv.FormatInt(int64(id), 10) }

// rolesPath lists the roles (a bare JSON array, not paged).
const rolesPath = "/api/v1/authorization/roles"

// accessRulesPage is the page size of the access-rules list: the spec's
// maximum limit (its default is 50).
const accessRulesPage = 500

// Subject types of access rules (runai-orgunits-authorization.json). The
// vendor docs name "service-account" the subject type of service accounts
// and "app" its deprecated alias; a rule of either names the account by
// its clientId (the docs leave the subject id open; see the shapes file).
const (
	subjectServiceAccount = "service-account"
	subjectApp            = "app"
)

// accessRule is an entry of GET /api/v1/authorization/access-rules (the
// AccessRule schema). Fields runai-sync does not use (createdAt/By,
// updatedAt, tenantId, status) are not decoded.
type accessRule struct {
	ID          int32  `json:"id"`
	SubjectType string `json:"subjectType"`
	SubjectID   string `json:"subjectId"`
	RoleID      int32  `json:"roleId"`
	RoleName    string `json:"roleName"`
	ScopeType   string `json:"scopeType"`
	ScopeID     string `json:"scopeId"`
	ScopeName   string `json:"scopeName"`
	ClusterID   string `json:"clusterId,omitempty"`
}

// accessRuleList is the reply of the access-rules list.
type accessRuleList struct {
	TotalRecords   int          `json:"totalRecords"`
	DisplayRecords int          `json:"displayRecords"`
	AccessRules    []accessRule `json:"accessRules"`
}

// accessRuleRequest is the body of an access-rule create
// (AccessRuleCreationFields). clusterId is left out: the API fills it in
// from the scope.
type accessRuleRequest struct {
	SubjectID   string `json:"subjectId"`
	SubjectType string `json:"subjectType"`
	RoleID      int32  `json:"roleId"`
	ScopeID     string `json:"scopeId"`
	ScopeType   string `json:"scopeType"`
}

// roleEntry is an entry of GET /api/v1/authorization/roles (RoleV1);
// only the id and the name are decoded.
type roleEntry struct {
	ID   int32  `json:"id"`
	Name string `json:"name"`
}
