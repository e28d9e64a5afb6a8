// Package audit reports hygiene findings about a Run:ai tenant (DESIGN.md,
// "Audit"): stale and unused access keys, unused and disabled-but-named
// service accounts, credentials nothing uses or that failed to sync, and,
// given the manifests and the state, literal secrets in git, managed
// objects missing from the live state and state records of objects that
// are gone.
//
// # What it owns
//
//   - duration.go: Duration, the "90d" / "36h" / "2w" flag values (Go's
//     time.ParseDuration knows no days).
//   - finding.go: Severity, Finding and the check names.
//   - audit.go: Run, pure over an Input (live objects, optional manifests
//     and state records, thresholds and a clock): no IO, no HTTP.
//   - render*.go: text, JSON (audit-output.schema.json) and Markdown.
//
// # Thresholds
//
// An access key is too old when now - createdAt > MaxKeyAge; a service
// account or access key is unused when it has been idle for longer than
// UnusedFor, idle time counting from lastLogin, or from createdAt when it
// never logged in (so a key made a minute ago is not reported; one never
// used and older than UnusedFor is, as "never used"). Exactly at a
// threshold nothing is reported.
//
// # What it must not do
//
// It reads no file, environment or network (the CLI gathers the input) and
// never prints a secret value: a literal secret is named by its file,
// line and field, never shown.
package audit
