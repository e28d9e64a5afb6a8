// Package emulator is an in-process HTTP server that emulates the NVIDIA
// Run:ai REST API (credentials assets, service accounts, user access keys,
// the token endpoint, org-unit lookups) and the Seqera Platform credentials
// API. It follows the vendor contract, not runai-sync's client: every test
// of the project and `runai-sync emulator` talk to it over real HTTP.
//
// # What it owns
//
// The package owns the emulated API and its state. It imports nothing of
// runai-sync but internal/atomicfile (to write its data file): it must not
// know the client, the manifests or the plan. Its contract is the embedded
// runai-openapi.json (a copy of shared/api/runai-openapi.json) and, for
// org units, roles and access rules, runai-orgunits-authorization.json (a
// copy of shared/api/runai-orgunits-authorization.json whose descriptions
// marked "Docs check" record what the vendor's public docs confirm), plus
// the behaviours below.
//
// # Go API
//
// New builds a Server (an http.Handler); Listen opens Options.Addr
// (default 127.0.0.1:8080) and Serve answers on a listener until Close,
// which also writes the data file. EnvLines gives the shell lines a user
// pastes; Credentials the admin pair and the Seqera token. Counts,
// TotalRequests and ResetCounts count requests per route template;
// ResponseViolations lists replies that broke the spec. MarkInUse,
// SetSyncStatus, MarkSeqeraInUse, CreateForeignAccessKey, SetTimes,
// ExpireTokens, StoredSecrets and Absences do in Go what the admin endpoints
// do over HTTP. Hold, Held and Release (hold.go) keep a route's requests
// waiting, so that a scenario stops a client mid-way without racing a
// latency. Start runs an emulator for one test.
//
// # Request pipeline
//
// Every request goes through, in order: route (a gorilla/mux router built
// from the spec, plus the routes the spec does not cover) -> count by route
// template (Counts) -> Options.Latency -> rate limit (429 with Retry-After
// over Options.RateLimit requests in a fixed one-second window) -> fail-rate
// (503 without effect) -> authentication (401) -> request validation (400)
// -> authorization (403, see Access rules) -> handler -> lost-rate (a
// successful POST/PUT/PATCH/DELETE is carried out and then answered 503)
// -> response validation (Options.ValidateResponses).
// An unknown path answers 404 and a known path with another method 405;
// neither is delayed nor failed, and both count under "<METHOD> (no route)".
// Error bodies are {"code":N,"message":"…"} (Seqera: {"message":"…"}).
//
// Faults are deterministic: routed requests are numbered in arrival order
// n = 0, 1, 2, …, and the fail and lost decisions of request n are pure
// functions of (Options.Seed, n) on two independent SplitMix64 streams, so a
// sequential client meets exactly the same faults on every run. With a
// non-zero seed, generated ids, client ids and secrets come from a third
// seeded stream (its counter is persisted, so a restart does not repeat
// ids). The token endpoint is subject to the fail-rate but not to the
// lost-rate (it changes nothing the client could observe as lost).
//
// # Validation
//
// Requests of spec operations are validated with kin-openapi's
// openapi3filter (uuid and date-time formats checked; the spec's bearerAuth
// is satisfied because the pipeline authenticated already). The emulator is
// stricter than the spec in three documented ways: unknown request body
// fields are rejected (400 naming the field, although the spec leaves
// additionalProperties open), unknown query parameters are rejected, and a
// credential PUT carrying anything but meta.description answers 400 "only
// meta.description can be updated". Messages about body fields never quote
// the submitted value (it may be a secret). The token, org-unit and Seqera
// routes are validated by hand with the same strictness.
//
// With ValidateResponses every reply of a spec operation is validated
// against the spec, status included; violations are kept for
// ResponseViolations (Start reports them). Statuses made by the pipeline
// itself (400 of request validation, including the list parameter rules;
// 401; 429; the injected 503) are checked for their body only, since the
// spec does not list them for every operation (list_credentials_assets has
// no 400, and no operation lists 429).
//
// # Run:ai semantics
//
// Token: POST /api/v1/token {"grantType":"client_credentials","clientId",
// "clientSecret"} answers {"accessToken":<HS256 JWT with sub, iat, exp and
// the principal>,"expiresIn":<s>,"tokenType":"Bearer"} (no expiresIn with
// Options.LegacyToken). Principals: the admin pair (user admin@runai.local),
// any service account with its current secret (a disabled one answers 401
// "service account … is disabled"), and any user access key (acting as its
// owner). A regenerated secret replaces the old one at once; a token
// granted to a service account or access key sets its lastLogin (the admin
// user's logins set nothing). POST /_emulator/age (SetTimes) moves the
// createdAt of a credential, service account or access key and the
// lastLogin of the last two, so that age thresholds can be tested exactly:
// times are RFC 3339, "lastLogin": null means never logged in, and an
// absent field is left as it is. Tokens are stateless: they stay valid until they expire (by
// Options.Now) or ExpireTokens makes every issued token answer 401, even if
// their service account is disabled or deleted meanwhile. Users (the admin
// client and access keys) may call every operation; service accounts only
// what their access rules grant (see Access rules).
//
// Credentials (/api/v1/asset/credentials/<type>, types access-key,
// password, docker-registry, generic-secret, ngc-api-key):
//   - create answers 202 with the asset: meta (id, kind, tenantId,
//     createdBy/At, updatedBy/At, updateCount, projectName for project scope,
//     and the unit's clusterId filled for project and department scope),
//     spec without secrets (keyId always present), status Creating;
//   - scope ids exactly as the scope needs (project: projectId, department:
//     departmentId, cluster: clusterId, tenant: none; a missing or extra id
//     is 400); the unit must exist (400 naming it); scope system is 400;
//   - names are unique per type, scope and scope id (409 naming the clash);
//   - meta.private may be true only for docker-registry and generic-secret;
//     private and autoDelete come back false when not sent;
//   - spec: existingSecretName, or all inline fields (accessKeyId +
//     secretAccessKey; user + password; user + password + url; a non-empty
//     keyValuePairs with unique non-empty keys; ngc_api_key), never both;
//   - write-only: password, secretAccessKey, ngc_api_key and generic-secret
//     values are never returned (generic-secret keys are);
//   - PUT sets meta.description only: a string sets it, null clears it, and
//     an absent description is kept (a real tenant reads absent as
//     "unchanged", so a client must state every updatable field); it
//     increments updateCount, sets updatedAt/By and answers 202 with
//     status Updating;
//   - DELETE answers what the spec lists: 202 with {"code":202,"message"}
//     for access-key, password and docker-registry, 204 for generic-secret
//     and ngc-api-key; 412 "… is used by workloads: a, b" while MarkInUse
//     has marked the asset as used by an active workload (a workload that
//     is Stopped, Completed, Succeeded, Failed or Deleted does not block);
//   - deletion is immediate by default. With Options.DeleteDelay (flag
//     --delete-delay) it is asynchronous, as on a real tenant: the asset
//     stays listed (and readable by id) with meta.deletedAt and deletedBy
//     set and status "Deleting" (unless SetSyncStatus forced another, such
//     as "Deletion failed"), its name still taken: a create of the same
//     type, scope and name answers 409 "… is being deleted" until the delay
//     has passed; deleting it again answers as the first delete did;
//   - every DELETE starts an absence of the name that the next create of
//     it ends; Absences (GET /_emulator/absences) reports per name the
//     number of gaps, the longest, and whether the name is absent now;
//   - GET and lists add usedBy with usageInfo=true and status with
//     statusInfo=true. The status is Creating/Updating until
//     Options.SyncDelay after the last change, then "No issues found",
//     unless SetSyncStatus forced another value;
//   - lists filter by name (exact), scope, projectId, departmentId,
//     clusterId and (combined list only) includeDescendants, as the spec's
//     parameter descriptions say: with scope, only assets of that scope
//     inside the given unit; a unit id alone gives the assets usable there
//     (its own, its ancestors', the tenant's); includeDescendants adds the
//     units below; scope with includeDescendants is 400. Lists are in
//     creation order. Unknown ids answer 404; a malformed uuid 400.
//
// Service accounts: list (array), POST 201 {id,name,clientId,clientSecret}
// (names unique in the tenant, 409), GET, DELETE 204, PATCH {enabled} 200
// with no body (the spec lists none), POST …/secret 200 {clientSecret}.
// Access keys (/api/v1/access-keys) are the caller's own: another user's key
// is 404; names are unique per owner (409). The administration listing
// (/api/v1/administration/access-keys?clientId=&createdBy=) shows every
// user's keys with createdBy; its DELETE removes any key.
//
// Org units follow the embedded runai-orgunits-authorization.json (a copy
// of shared/api/runai-orgunits-authorization.json; its org-unit and
// cluster paths are merged into the router and validated like the rest):
// GET /api/v1/org-unit/projects -> {"projects":[Project…],"next":n} and GET
// /api/v1/org-unit/departments -> {"departments":[…],"next":n} are paged
// (offset, limit default 50 and at most 500, though a page never holds
// more than 100 units; next is the offset of the following page, absent on
// the last), filtered by filterBy terms
// field-operator-value joined by commas (every operator of the spec, on the
// string fields name, clusterId, parentId, departmentId, parentName, phase,
// createdAt; quota and usage fields answer 400, the emulator has no such
// data), search (name, case-insensitive) and sortBy/sortOrder; GET
// /api/v1/clusters -> [DisplayedCluster…], not paged. Units come in the
// order of the organisation, which is DefaultOrg unless Options.Org,
// Options.OrgFile (LoadOrg; `runai-sync emulator --org FILE`) or the data
// file gives one. Credentials can only be created in units that exist.
//
// # Access rules
//
// Served from runai-orgunits-authorization.json, whose authorization paths
// are merged into the router like the org units' and validated like the
// rest:
//
//	GET    /api/v1/authorization/roles                        200 [RoleV1…]: the fixed predefined roles (roles.go)
//	GET    /api/v1/authorization/access-rules                 200 {totalRecords,displayRecords,accessRules}
//	POST   /api/v1/authorization/access-rules                 201 AccessRule
//	GET    /api/v1/authorization/access-rules/{accessRuleId}  200 AccessRuleById (with scopePath)
//	DELETE /api/v1/authorization/access-rules/{accessRuleId}  204
//
// Roles carry the vendor's names (System administrator, Department
// administrator, Editor, Research manager, L1/L2 researcher, ML engineer,
// Viewer, Department viewer, Credentials administrator, Data source /
// Compute resource / Environment / Template / Data volume administrator)
// with emulator-assigned ids 1-15; their permissions list what the emulator
// enforces (the table in roles.go). Create checks, with 400 naming the
// problem: the role exists; the subject exists (service-account, or the
// deprecated app, by the account's clientId — its id is refused with a
// hint; user: the admin user or an access key's owner; group: any name);
// the scope exists (tenant: scopeId "1"; cluster uuid; department or
// project id; system is refused); clusterId, when sent, is the scope's
// cluster (filled in from the scope otherwise). The same role for the same
// subject in the same scope again is 409 (not in the vendor spec; marked
// unconfirmed there). Rules cannot be updated. DELETE marks the rule
// deleted (deletedAt; 404 afterwards; listed with includeDeleted=true) and
// it stops granting at once; deleting a service account leaves its rules.
// The list filters by subjectType, subjectIdFilter, subjectIds, scopeType,
// scopeId, roleId, clusterId, lastUpdated (updated at or after),
// includeDeleted, filterBy (field op value, the spec's fields and
// operators), search, sortBy/sortOrder, then pages with offset and limit
// (default 50, at most 500).
//
// Enforcement: a service account's token may use credentials only where a
// rule of its clientId grants it: a rule reaches its scope and the scopes
// below (tenant: everything; cluster: its departments and projects;
// department: its projects), and its role gives read or write on
// credentials (roles.go). Lists leave out the credentials it may not read
// (a project rule does not show the tenant's or the department's
// credentials); a list naming a unit it may not read, and a get, create,
// update or delete outside its grants, answer 403 {"code":403,"message":
// "service account … has no access rule that lets it …"} — a pipeline
// status, so only its body is checked against the spec. Managing service
// accounts and other users' access keys needs such a role tenant-wide;
// access rules are listed, read, created and deleted within the scopes its
// role may manage them in. Roles, its own access keys and org units are
// open to every caller.
//
// # Seqera semantics
//
// Under /api with "Authorization: Bearer <SeqeraToken>" (else 401), and an
// optional numeric workspaceId query parameter (absent: the personal
// workspace; unknown: 403; workspaces 1001 and 1002 by default):
// GET /api/credentials -> {"credentials":[…]}; GET /api/credentials/{id} ->
// {"credentials":{…}} or 404; POST {"credentials":{name,description,
// provider,baseUrl,category,keys}} -> 200 {"credentialsId":<22 chars>} (with
// SeqeraShape "seed": {"credentials":{…}}), names unique per workspace
// (409); PUT replaces the whole credential, keys included, 204 (the provider
// cannot change: 400); DELETE 204, or with checked=true 409
// {"credentialsId","conflicts":[{"type":"workflow",id,name,url}]} while
// MarkSeqeraInUse has marked it. Keys are shown as the discriminator and
// the non-secret fields only; with Options.SeqeraNoKeys (`runai-sync
// emulator --seqera-no-keys`; off by default) replies carry no keys at all,
// as the seed's GET replies do, so not even the non-secret fields can be
// read back. name ≤ 100, category ≤ 20, baseUrl ≤ 200
// characters; an unknown key field for the provider is 400.
//
// # Admin endpoints
//
// Under /_emulator/: unauthenticated, not counted, never delayed or failed,
// not validated against the spec. Errors are {"code","message"}.
//
//	POST /_emulator/usage          {"assetId","workloads":[{"type","name","status"}]}  204 (empty list clears; see MarkInUse)
//	POST /_emulator/status         {"assetId","status"}                              204 (see SetSyncStatus)
//	POST /_emulator/seqera/usage   {"credentialsId","jobs":[{"id","name"}]}           204 (see MarkSeqeraInUse)
//	POST /_emulator/access-keys    {"name","createdBy"} -> 201 {"id","clientId","clientSecret"}
//	POST /_emulator/age            {"id","createdAt","lastLogin"}                    204 (see SetTimes)
//	POST /_emulator/expire-tokens  204 (see ExpireTokens)
//	POST /_emulator/reset-counts   204 (see ResetCounts)
//	GET  /_emulator/stats          {"total":n,"routes":{"<METHOD> <template>":n,…}}
//	GET  /_emulator/absences       {"names":{"<type> <scope>[/<id>] <name>":{"gaps","longestMs","absentSince"}}} (see Absences)
//
// # Persistence
//
// With Options.DataFile the whole state (org, assets with their secrets,
// service accounts, access keys, Seqera credentials, usage marks, admin
// credentials, the token signing key) is loaded at New and written
// atomically (temporary file in the same directory, fsync, rename, mode
// 0600) in the background at most every 200 ms after a change (less often
// when a write is slow), and on Close. A corrupt file is an error at New.
// Options given explicitly (Org, SeqeraWorkspaces, AdminClientID/Secret,
// SeqeraToken) win over the file.
package emulator
