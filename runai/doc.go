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
//     between manifests, live assets and diff.Object.
//   - provider.go, wait.go: Provider, which implements apply.Provider and
//     apply.Waiter for the resource families above. Service accounts and
//     access keys will be added as families of their own files
//     (serviceaccounts_*.go, accesskeys_*.go) dispatched by Key.Kind.
//
// # The common model contract
//
// Attrs of a desired object and of the live object an apply made from it
// are identical, so the plan after an apply is empty: server-set fields
// (ids, timestamps, status, keyId, tenant, projectName, the clusterId the
// API fills for project and department scope) are left out, and defaults
// are normalised (private false and empty strings are absent).
//
// # What it must not do
//
// It never puts a secret value (a credential's secret fields, the client
// secret, a token) in an error, a log line or a panic. It does not read
// the environment or flags (the CLI builds a Config), does not decide what
// to change (package diff does), and does not order or parallelise steps
// (package apply does). HTTP mechanics belong to internal/rest.
package runai
