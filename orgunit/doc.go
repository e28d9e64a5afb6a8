// Package orgunit resolves the org units (clusters, departments, projects)
// that manifests name, by name or by id, against the tenant's org tree: it
// owns the step between loading the manifests and computing the plan in
// which every name becomes an id, every id is checked to exist, and every
// unit gets the name plans show beside its id.
//
// # What it owns
//
//   - tree.go: Tree, the org units of a tenant as the org-unit API lists
//     them, with lookups by id and by name. Pure data.
//   - load.go: Lister (what a client must offer: the three listings, each
//     followed to its last page) and Load, which reads the kinds a Need
//     names, at once. Needs says which kinds a manifest set needs.
//   - resolve.go: Resolve, which walks the credentials, the access rules
//     of service accounts and the Ownership credential selectors of a set, fills in the ids of names, checks the
//     ids, and reports every failure as a manifest.Diagnostic at the field
//     (FILE:LINE:COL) with the nearest names; then reports documents that
//     now share a key (a project by name and by id), or access rules of
//     one account that are now the same rule, with both places.
//   - roles.go: Role, RoleLister and ResolveRoles, which turns the role
//     names of access rules into ids (AccessRule.RoleID) from the roles
//     GET /api/v1/authorization/roles lists, read only when some service
//     account lists rules (NeedsRoles); an unknown role is a diagnostic at
//     its role field with the role it most likely means.
//
// # Resolving another kind's scope
//
// A scope is a manifest.ScopeRef: scope plus one of clusterId/cluster,
// departmentId/department, projectId/project. Any kind that embeds a
// ScopeRef (an access rule, say) resolves it with
//
//	diag, ok := tree.ResolveRef(&rule.ScopeRef, doc, manifest.FieldPath{"spec", "accessRules", i})
//
// which fills the id in place (ScopeID() then gives it) or returns the
// diagnostic to report; NeedOf tells Load which kinds a ref needs. To make
// a kind's scopes part of every run, list them in refs (resolve.go): Needs
// and Resolve then cover them, and its keys use ids like credentials.
// schema.CheckScope checks the shape offline (one of name or id), and
// Tree.RefName gives export the name to write back.
//
// # What it must not do
//
// It sends no HTTP itself (package runai implements Lister), reads no file
// or environment, and does not decide what to change. Package diff never
// imports it: plans get names through diff.Plan.ScopeNames, from Names.
package orgunit
