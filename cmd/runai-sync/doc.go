// Command runai-sync keeps NVIDIA Run:ai credentials, service accounts and
// user access keys (and Seqera Platform credentials) equal to YAML manifests
// kept in git.
//
// This package is the command line only: kong command structs (one file per
// command), flags, environment variables, wiring of the packages, and exit
// codes. It holds no logic of its own; each step of the pipeline lives in its
// package (manifest, schema, diff, apply, runai, seqera, emulator).
//
// plan, apply, drift and audit report to Prometheus with --metrics-file and
// --pushgateway through one deferred call each (MetricsFlags.observe in
// metrics.go), from what their sessions observed per tenant.
//
// Exit codes: 0 success; 1 error (invalid input, a refused plan, a failed
// apply); 2 changes or drift present (plan --detailed-exitcode, drift), or
// audit findings at --fail-on.
package main
