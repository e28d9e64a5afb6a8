// Package metrics turns the outcome of a plan, apply, drift or audit run
// into Prometheus metrics for the tools an operations team already
// watches: a text-exposition file for node_exporter's textfile collector
// (WriteFile, atomic), or a push to a Pushgateway (Push).
//
// # What it owns
//
// Run and Result (what a command found, per tenant), the metric names and
// labels, the registry built for each run (its own, never the global
// one), the file and the push. The CLI fills a Run; this package knows
// nothing of plans, manifests or HTTP APIs beyond the Pushgateway.
//
// # Metrics
//
// Every metric is a gauge labelled with command (plan, apply, drift,
// audit), and with tenant when a run covers several tenants:
//
//	runai_sync_objects{kind}                     objects the run looked at, by kind
//	runai_sync_changes{action}                   changes by action (create, update, replace, delete)
//	runai_sync_drifted_objects                   objects that differ from the manifests
//	runai_sync_unhealthy_objects                 live objects whose sync status is unhealthy
//	runai_sync_audit_findings{severity}          audit findings by severity
//	runai_sync_success                           1 when the run succeeded for the tenant, else 0
//	runai_sync_last_success_timestamp_seconds    when it last succeeded
//	runai_sync_last_run_timestamp_seconds        when this run ended (no tenant label)
//	runai_sync_last_run_duration_seconds         how long it took (no tenant label)
//
// A metric a command does not measure is left out (plan has no findings;
// audit no changes), so absent never reads as zero.
//
// A failed run keeps the last success time of before: WriteFile carries it
// over from the file it replaces, and Push sends with POST, which replaces
// only the metrics it sends (one grouping per tenant when there are
// several, so one tenant's failure keeps the others' times).
package metrics
