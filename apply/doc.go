// Package apply executes a diff.Plan: it runs the units of the plan wave by
// wave in dependency order (deletes of pruned objects bottom-up, then
// creates, updates and replaces top-down; see diff/order.go), independent
// units in parallel, the steps of a unit (a replace's delete, then its
// create) in order and to their end once started, hands the outputs of one
// step (a service account's one-time secret) to the steps that need them,
// stops gently on Options.Stop and at once when its context ends, waits
// for sync when asked, and reports progress as events.
//
// It knows nothing about YAML or HTTP: each provider (runai, seqera)
// implements Provider and does the API calls of one step; retries of a call
// belong to the provider's client. Dry-run is the same code path with no
// provider call, so the preview is exactly what would run.
package apply
