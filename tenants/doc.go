// Package tenants reads the tenants file (runai-sync.yaml, or --config, or
// RUNAI_SYNC_CONFIG): the Run:ai tenants one repository manages, each with
// its API URL, the connection secrets runai-sync logs in with (in any
// secret-field form), an optional Seqera Platform, its manifest paths, its
// variables and where its state lives.
//
// It owns the step before the manifests are read when several tenants run:
// finding and validating the file (the schema's Tenants definition, then
// the checks across tenants, every problem as file:line:col and field),
// selecting tenants by name or glob, and giving each tenant the values the
// manifest loader substitutes (manifest.Vars). It resolves a connection
// secret only when asked, through manifest.Resolver, so every form a
// manifest's secret field takes works here too.
//
// It must not read manifests, open state or talk to any API: package main
// runs each selected tenant through the usual pipeline.
package tenants
