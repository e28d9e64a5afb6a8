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
// No secret value is ever stored: Fingerprinter turns a value into an
// HMAC-SHA256 keyed by RUNAI_SYNC_STATE_KEY or by the state's random salt
// (fingerprint.go).
//
// The package must not touch HTTP, parse manifests, or make plan decisions:
// it stores what it is given. Writers hold the lock (Lock) while they Put and
// Remove; Load is safe at any time, from any process.
//
// Reading order: state.go (the interface), open.go, fingerprint.go, then a
// backend.
package state
