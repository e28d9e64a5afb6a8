package main

import (
	"context"
	"fmt"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/orgunit"
	"github.com/runai-sync/runai-sync/runai"
)

// resolveOrgUnits reads the org units the manifests name (by name or by
// id), once, and resolves them in set: names become ids, and every id must
// exist. A failure is exit 1 before any change, each problem at its
// FILE:LINE:COL. The read-ahead's tree is used when it covers what the
// set needs. It returns the units' names for the plan (nil when the
// manifests name none).
func resolveOrgUnits(ctx context.Context, env *Env, set *manifest.Set, c *runai.Client, connErr error, ahead *readAhead) (map[string]string, error) {
	need := orgunit.Needs(set)
	if !need.Any() {
		return nil, nil
	}
	if connErr != nil {
		return nil, connErr
	}
	tree, err := ahead.orgTree(ctx, need)
	if err == nil && tree == nil {
		tree, err = orgunit.Load(ctx, c, need)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the org units the manifests name: %w", err)
	}
	ds := tree.Resolve(set)
	printDiagnostics(env, ds)
	if ds.HasErrors() {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s resolving projects, departments and clusters; nothing was changed", plural(ds.Errors(), "error"))}
	}
	return tree.Names(), nil
}

// exportUnits reads the org units the live credentials are scoped to, so
// that export can write them by name.
func exportUnits(ctx context.Context, c *runai.Client, live []*diff.Object) (*orgunit.Tree, error) {
	var need orgunit.Need
	for _, o := range live {
		if o.Key.Kind != manifest.KindCredential {
			continue
		}
		switch o.Key.Scope {
		case manifest.ScopeProject:
			need.Projects, need.Clusters = true, true
		case manifest.ScopeDepartment:
			need.Departments = true
		case manifest.ScopeCluster:
			need.Clusters = true
		}
	}
	if !need.Any() {
		return &orgunit.Tree{}, nil
	}
	tree, err := orgunit.Load(ctx, c, need)
	if err != nil {
		return nil, fmt.Errorf("reading the org units to write them by name (--ids writes ids): %w", err)
	}
	return tree, nil
}
