// Package apply executes a diff.Plan: it runs the steps wave by wave in
// dependency order (deletes bottom-up, then creates and updates top-down),
// independent steps in parallel, hands the outputs of one step (a service
// account's one-time secret) to the steps that need them, waits for sync
// when asked, and reports progress as events.
//
// It knows nothing about YAML or HTTP: each provider (runai, seqera)
// implements Provider and does the API calls of one step; retries of a call
// belong to the provider's client. Dry-run is the same code path with no
// provider call, so the preview is exactly what would run.
package apply
