package emulator

import (
	"net/http"
	"time"
)

// Resource types the emulator enforces (names from the ResourceType enum of
// runai-orgunits-authorization.json).
const (
	resCredentials     = "credentials"
	resServiceAccounts = "service-account"
	resAccessRules     = "access_rules"
	resAccessKeys      = "access-keys"
)

// access is what a role may do on one resource type.
type access int

const (
	accessNone  access = iota
	accessRead         // list and get
	accessWrite        // list, get, create, update and delete
)

// role is one predefined Run:ai role as the emulator models it.
type role struct {
	ID    int32
	Name  string
	Desc  string
	Grant map[string]access // resource type -> access
}

// roles are the predefined roles, with the vendor's names (roles page of
// the 2.2x docs; see RolesV1 in runai-orgunits-authorization.json). The
// vendor gives no ids: these are the emulator's, and clients resolve roles
// by name.
//
// Only the resources the emulator serves are modelled, and the vendor's
// per-role permission lists are not public in full, so this table is the
// emulator's reading of the role names, kept small on purpose:
//   - administrators of the tenant or a department manage credentials,
//     service accounts and access rules (and, the system administrator
//     only, every user's access keys);
//   - the Editor manages credentials and access rules;
//   - Credentials administrator, ML engineer, L1 researcher and Research
//     manager read and write credentials;
//   - L2 researcher, Viewer, Department viewer and Data source administrator
//     read credentials;
//   - the other asset administrators have no access to credentials.
//
// A rule grants its role's access in its scope and every scope below it
// (see covers).
var roles = []role{
	{1, "System administrator", "Full access to the tenant.", map[string]access{resCredentials: accessWrite, resServiceAccounts: accessWrite, resAccessRules: accessWrite, resAccessKeys: accessWrite}},
	{2, "Department administrator", "Manages a department.", map[string]access{resCredentials: accessWrite, resServiceAccounts: accessWrite, resAccessRules: accessWrite}},
	{3, "Editor", "Manages the organisation's assets and access.", map[string]access{resCredentials: accessWrite, resAccessRules: accessWrite}},
	{4, "Research manager", "Manages research projects.", map[string]access{resCredentials: accessWrite}},
	{5, "L1 researcher", "Runs workloads and manages assets.", map[string]access{resCredentials: accessWrite}},
	{6, "L2 researcher", "Runs workloads.", map[string]access{resCredentials: accessRead}},
	{7, "ML engineer", "Deploys and manages inference workloads.", map[string]access{resCredentials: accessWrite}},
	{8, "Viewer", "Reads everything in scope.", map[string]access{resCredentials: accessRead}},
	{9, "Department viewer", "Reads a department.", map[string]access{resCredentials: accessRead}},
	{10, "Credentials administrator", "Manages credentials.", map[string]access{resCredentials: accessWrite}},
	{11, "Data source administrator", "Manages data sources.", map[string]access{resCredentials: accessRead}},
	{12, "Compute resource administrator", "Manages compute resources.", map[string]access{}},
	{13, "Environment administrator", "Manages environments.", map[string]access{}},
	{14, "Template administrator", "Manages templates.", map[string]access{}},
	{15, "Data volume administrator", "Manages data volumes.", map[string]access{}},
}

// roleByID finds a predefined role.
func roleByID(id int32) (role, bool) {
	for _, r := range roles {
		if r.ID == id {
			return r, true
		}
	}
	return role{}, false
}

// rolesCreatedAt is the fixed creation time of the predefined roles.
var rolesCreatedAt = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// permissionGroups gives each modelled resource type its ResourceTypeGroupId
// and display name.
var permissionGroups = map[string][2]string{
	resCredentials:     {"workload-asset", "Credentials"},
	resServiceAccounts: {"iam", "Service accounts"},
	resAccessRules:     {"iam", "Access rules"},
	resAccessKeys:      {"iam", "Access keys"},
}

// renderRole is the RoleV1 schema; its permissions are the ones the
// emulator enforces.
func renderRole(r role) map[string]any {
	perms := []map[string]any{}
	for _, res := range []string{resCredentials, resServiceAccounts, resAccessRules, resAccessKeys} {
		a := r.Grant[res]
		if a == accessNone {
			continue
		}
		actions := []string{"read"}
		if a == accessWrite {
			actions = []string{"create", "read", "update", "delete"}
		}
		g := permissionGroups[res]
		perms = append(perms, map[string]any{"resourceType": res, "groupId": g[0], "displayName": g[1], "actions": actions})
	}
	at := formatTime(rolesCreatedAt)
	return map[string]any{
		"id": r.ID, "name": r.Name, "description": r.Desc, "permissions": perms,
		"createdAt": at, "updatedAt": at, "createdBy": "system", "custom": false,
		"effectiveEnabled": true, "enabled": true,
	}
}

// rolesList serves GET /api/v1/authorization/roles: a bare JSON array of
// the predefined roles, to every authenticated caller.
func (s *Server) rolesList(c *call) reply {
	out := make([]map[string]any, len(roles))
	for i, r := range roles {
		out[i] = renderRole(r)
	}
	return ok(http.StatusOK, out)
}
