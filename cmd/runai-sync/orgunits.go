package main

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/orgunit"
	"github.com/runai-sync/runai-sync/runai"
)

// resolveOrgUnits reads the org units the manifests name (by name or by
// id), once, and resolves them in set: names become ids, and every id must
// exist. When service accounts list access rules it also reads the roles
// and resolves the rules' role names to ids. A failure is exit 1 before
// any change, each problem at its FILE:LINE:COL. The read-ahead's tree is
// used when it covers what the set needs. It returns the units' names for
// the plan (nil when the manifests name none).
func resolveOrgUnits(ctx context.Context, env *Env, set *manifest.Set, c *runai.Client, connErr error, ahead *readAhead) (map[string]string, error) {
	need, needRoles := orgunit.Needs(set), orgunit.NeedsRoles(set)
	if !need.Any() && !needRoles {
		return nil, nil
	}
	if connErr != nil {
		return nil, connErr
	}
	var roles []orgunit.Role
	g, gctx := errgroup.WithContext(ctx)
	if needRoles {
		g.Go(func() (err error) {
			var found bool
			roles, found, err = ahead.roleList(gctx)
			if !found {
				roles, err = c.ListRoles(gctx)
			}
			if err != nil {
				return fmt.Errorf("reading the roles the access rules name: %w", err)
			}
			return nil
		})
	}
	var names map[string]string
	var unitDiags, roleDiags manifest.Diagnostics
	if need.Any() {
		tree, err := ahead.orgTree(gctx, need)
		if err == nil && tree == nil {
			tree, err = orgunit.Load(gctx, c, need)
		}
		if err != nil {
			_ = g.Wait()
			return nil, fmt.Errorf("reading the org units the manifests name: %w", err)
		}
		unitDiags, names = tree.Resolve(set), tree.Names()
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if needRoles {
		roleDiags = orgunit.ResolveRoles(set, roles)
	}
	ds := append(unitDiags, roleDiags...).Sort()
	printDiagnostics(env, ds)
	if ds.HasErrors() {
		what := "projects, departments and clusters"
		switch {
		case !roleDiags.HasErrors():
		case !unitDiags.HasErrors():
			what = "roles"
		default:
			what = "projects, departments, clusters and roles"
		}
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s resolving %s; nothing was changed", plural(ds.Errors(), "error"), what)}
	}
	return names, nil
}

// exportUnits reads the org units the live credentials and access rules
// are scoped to, so that export can write them by name.
func exportUnits(ctx context.Context, c *runai.Client, live []*diff.Object) (*orgunit.Tree, error) {
	var need orgunit.Need
	for _, o := range live {
		switch o.Key.Scope { // other kinds' scopes (user, workspace) are no org units
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
