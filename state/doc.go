// Package state remembers, between runs, what runai-sync applied: for each
// managed resource its key, live id, keyed fingerprints of the secret values
// it was given, its last rotation marker and when it was applied. It also
// owns the apply lock, so that two pipelines never apply at once.
//
// Two backends sit behind one interface (Store), chosen by Open from
// --state / RUNAI_SYNC_STATE:
//
//   - a local file (default .runai-sync/state.json): a compacted snapshot
//     written atomically, plus an append-only journal of one JSON line per
//     Put or Remove, so that saving after every change costs one small
//     append and one fsync, never a rewrite of the whole state (file.go,
//     journal.go, snapshot.go, filelock.go);
//   - PostgreSQL (postgres://…), for pipelines on many machines: one row per
//     entry, transactional writes, and a session-level advisory lock that
//     vanishes with its holder's session (postgres.go, pglock.go).
//
// # Tenants
//
// One store serves many tenants. Every entry carries its Tenant, the
// canonical API base URL of the provider it belongs to (Tenant: the Run:ai
// base URL; the Seqera endpoint, the workspace being part of a Seqera key),
// and is identified by (Tenant, Key). A run names its tenants in a Scope,
// one per provider, and sees only theirs:
//
//	scope := state.Scope{"runai": state.Tenant(url), "seqera": state.Tenant(endpoint)}
//	unlock, err := st.Lock(ctx, scope, holder, timeout) // PostgreSQL: one lock per tenant
//	d, err := st.Load(ctx, scope)                       // d.Entries: the scope's entries only
//	rec := state.NewRecorder(ctx, st, d, fp, plan)      // writes stamp the scope's tenants
//
// Put refuses an entry without a tenant; Remove takes Refs (tenant and key);
// List returns every tenant's entries (runai-sync state list). Runs for
// different tenants may share one file (they take turns: a file has one
// lock) or one PostgreSQL schema (each tenant has its own advisory lock, so
// they run at once), or use a store each.
//
// Entries written before entries were keyed by tenant (format version 1)
// are kept as unclaimed (Tenant "", Data.Unclaimed). Records uses one for
// a run only when the live object of the same key has the entry's id: ids
// are unique across tenants, so an entry is never read for another tenant.
// The Recorder then moves it to the run's tenant. Unclaimed entries no
// tenant proves its own stay as they are (state list shows them).
// A version 1 file is rewritten as version 2 before its first write, and
// version 1 tables are altered on first use, so that an older runai-sync
// refuses them rather than mix tenants.
//
// What a run reads goes to the plan as input, never written into the
// objects: Records turns the scope's entries into a diff.Recorded (the
// recorded fingerprints, rotation markers, values of attributes the API
// does not show, undelivered dependents, and the Sum that fingerprints
// desired values) for diff.ComputeRecorded, and names the objects adopted
// without a usable entry, which Annotate notes on the plan (records.go).
// The Recorder writes what an apply did (recorder.go).
//
// No secret value is ever stored: Fingerprinter turns a value into an
// HMAC-SHA256 keyed by RUNAI_SYNC_STATE_KEY or by the state's random salt
// (fingerprint.go).
//
// The package must not touch HTTP, parse manifests, or make plan decisions:
// it stores what it is given. Writers hold the lock (Lock) while they Put and
// Remove; Load is safe at any time, from any process.
//
// Lock holders' command lines pass through Scrub, which removes passwords
// (of postgres:// URLs and password= settings), before they are recorded.
//
// Reading order: state.go (the interface), tenant.go, open.go,
// fingerprint.go, records.go, recorder.go, then a backend.
package state
