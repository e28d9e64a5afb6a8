// Package runai is the NVIDIA Run:ai side of runai-sync: an API client
// (token login, TLS, retries through internal/rest) and the provider that
// turns Run:ai objects into the common model of package diff and carries
// out the steps of a plan.
//
// # What it owns
//
//   - client.go, config.go, auth.go, errors.go: the client. Login with a
//     client id and secret (POST /api/v1/token, refreshed a minute before
//     expiry and once on a 401) or a static token; the base URL, CA file,
//     timeouts and User-Agent; errors that name their subject and say what
//     to do.
//   - credentials_*.go: the credentials family (the five asset types under
//     /api/v1/asset/credentials): wire types, API calls, and the mapping
//     between manifests, live assets and diff.Object. deleting.go: deletion
//     is asynchronous on a real tenant (status "Deleting", meta.deletedAt,
//     the name still taken): an asset being deleted is never live (nor
//     planned, nor waited for); the create of a replace waits until its
//     old asset is gone, and a create meeting 409 from a name being deleted
//     waits and tries again, each wait bounded by Provider.DeleteTimeout
//     (--delete-timeout). Live credentials whose sync status is "Failed",
//     "Issues found" or "Deletion failed" are diff.Object.Unhealthy.
//   - serviceaccounts_*.go: service accounts (/api/v1/service-accounts):
//     create, enable and disable (PATCH), regenerate the secret, delete.
//   - accesskeys_*.go: the caller's access keys (/api/v1/access-keys):
//     create, regenerate, delete; and other users' keys, read through the
//     administration listing and deleted through its API.
//   - roles.go, accessrules_*.go: roles by name (GET
//     /api/v1/authorization/roles -> roleIndex, whose unknown names suggest
//     the likely one; ListRoles gives orgunit.ResolveRoles the same list,
//     which resolves manifests' role names before the plan) and access
//     rules (/api/v1/authorization/access-rules):
//     list by subject ids (100 a request) over pages of 500, create (a
//     409 is settled by reading the subject's rules back and taking the
//     identical one, so a lost reply never makes a rule twice), delete
//     (gone counts as deleted). accessrules_do.go makes them objects of
//     kind AccessRule (Scope.AccessRules): desired from each declared
//     ServiceAccount's spec.accessRules, keyed by role, scope and account
//     name, with no attributes (a changed rule is another key: a delete and
//     a create); live, the rules of subject type service-account (or app)
//     whose subject id is a live account's clientId, and nothing else. A
//     create takes the account's clientId from the apply's outputs (the
//     account is a level above), the role's id from Settings["roleId"] or
//     else from the roles listing, and for scope tenant the tenant's id
//     from GET /api/v1/clusters.
//   - identity.go, secretfile.go: what both share: the one-time client
//     secret of a create or regeneration, handed to the dependents as the
//     outputs clientId and clientSecret and written to spec.secretFile
//     (0600, atomically, only when it changed) before the step returns; a
//     create whose reply was lost is read back by name and its secret
//     regenerated at once.
//   - provider.go, snapshot.go, wait.go: Provider, which implements
//     apply.Provider and apply.Waiter for the families of its Scope
//     (ScopeOf a manifest set), dispatching by Key.Kind; Snapshot reads the
//     families at once, one list call each; Wait names, when it times out,
//     every credential not synced and its status.
//
// # The common model contract
//
// Attrs of a desired object and of the live object an apply made from it
// are identical, so the plan after an apply is empty: server-set fields
// (ids, timestamps, status, keyId, tenant, projectName, the clusterId the
// API fills for project and department scope) are left out, and defaults
// are normalised (private false and empty strings are absent). A service
// account always has spec.enabled ("true" or "false"); service accounts
// and access keys have spec.rotation (quoted) on desired objects only: the
// API knows no marker, the state records the last one applied, and the
// plan sees it on the live object through diff.Recorded. Another user's access key has scope "user" and its createdBy as
// scope id, so it never matches a manifest; its Status says when it last
// logged in.
//
// A step builds its requests from the desired object alone, never from a
// manifest: the name and scope id of its Key, its Attrs (read back by
// desiredFields, the inverse of credFields.attrs), its Secrets, and its
// Settings, which hold what is not compared (spec.secretFile).
//
// # What it must not do
//
// It never puts a secret value (a credential's secret fields, the client
// secret, a token) in an error, a log line or a panic. It does not read
// the environment or flags (the CLI builds a Config), writes no file but
// spec.secretFile, does not decide what to change (package diff does),
// does not remember rotation markers or undelivered secrets (package state
// does), and does not order or parallelise steps (package apply does).
// HTTP mechanics belong to internal/rest.
package runai
