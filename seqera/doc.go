// Package seqera is the Seqera Platform side of runai-sync: an API client
// (bearer token, TLS, retries through internal/rest) and the provider that
// turns Seqera credentials into the common model of package diff and
// carries out the steps of a plan on them.
//
// # What it owns
//
//   - config.go, client.go, errors.go: the client. The endpoint
//     (TOWER_API_ENDPOINT, such as https://api.tower.nf/api), the access
//     token (TOWER_ACCESS_TOKEN), the CA file, timeouts and User-Agent;
//     errors that name their subject and say what to do.
//   - wire.go, api.go: the credentials API under /credentials: wire types
//     (both reply shapes of a create: the seed's {"credentials":{…}} and the
//     current platform's {"credentialsId":…}) and the calls. The workspace
//     is the workspaceId query parameter, never sent for the user's
//     personal workspace.
//   - model.go: the mapping between SeqeraCredential manifests, live
//     credentials and diff.Object, and Workspaces, the workspaces a
//     manifest set names.
//   - provider.go, do.go: Provider, which implements apply.Provider:
//     Desired, Snapshot (one GET per workspace) and Do (create, update,
//     delete).
//
// # The common model contract
//
// A desired object and the live object an apply made from it are equal:
// Provider "seqera"; Key {SeqeraCredential, scope workspace, the workspace
// id or "" for the personal workspace, name}; Attrs metadata.description,
// spec.provider, spec.category, spec.baseUrl and every non-secret key as
// spec.keys.<name>, Go-quoted and absent when empty; Secrets every secret
// key as spec.keys.<name>. Server fields (id aside: dateCreated,
// lastUpdated, lastUsed, the keys' discriminator) are left out, and
// entries marked deleted are skipped. Seqera's PUT replaces the whole
// credential, secrets included, so every path but spec.provider changes in
// place (the credential keeps its id); a provider change is a replace.
// Requests are built from the desired object alone (Key, Attrs, Secrets),
// never from a manifest.
//
// A platform may answer without keys at all (the seed's GET replies). Then
// a live object lists the non-secret key paths it could not read in
// Unread, and a desired object lists them in Fingerprinted: package state
// compares them through the fingerprints it recorded, like secrets. A
// lost create is then adopted on what can be read (name, provider,
// description, category, base URL).
//
// # What it must not do
//
// It never puts a secret value (a secret key, the access token) in an
// error, a log line or a panic. It does not read the environment or flags
// (the CLI builds a Config, and fills a missing metadata.workspaceId from
// TOWER_WORKSPACE_ID before Desired), does not decide what to change
// (package diff does), and does not order or parallelise steps (package
// apply does). HTTP mechanics belong to internal/rest; Run:ai belongs to
// package runai.
package seqera
