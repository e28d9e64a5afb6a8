package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/runai-sync/runai-sync/diff"
)

// DriftCmd reports drift.
type DriftCmd struct {
	ManifestFlags
	TenantFlags
	ConnFlags
	MetricsFlags
	SecretFlags
	Output string `short:"o" enum:"text,json,markdown" default:"text" help:"Output format: text, json or markdown."`
}

// Help describes drift.
func (c *DriftCmd) Help() string {
	return `Drift compares the live state with the manifests, as plan --prune would, and
reports every object that differs: changed, missing, or present inside an
Ownership selector without a manifest. Ignored objects are not reported. It
also reports, in a section of its own, managed credentials that Run:ai says do
not work (sync status Failed, Issues found or Deletion failed).

Exit status: 0 in sync and healthy, 2 drift or an unhealthy object found (each
named), 1 error.
Made for a cron job:

  runai-sync drift -f manifests/ || alert`
}

// Run reports drift, for each selected tenant of a tenants file.
func (c *DriftCmd) Run(ctx context.Context, env *Env, g *Globals) (err error) {
	defer c.observe(ctx, env, "drift", time.Now(), &err)
	return c.TenantFlags.run(ctx, env, g, tenantRun{files: c.Files, output: c.Output, secrets: c.SecretFlags, title: "runai-sync drift", exit2: "drift", run: c.drift})
}

// drift reports the drift of one tenant.
func (c *DriftCmd) drift(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error) {
	// Drift reports; it never applies, so the guards do not apply either.
	opts := diff.Options{Prune: true, Force: true, AllowProtected: true, AllowMassDelete: true}
	s, err := newSession(ctx, env, c.ConnFlags, t, sessionOptions{diff: opts, secrets: c.SecretFlags})
	if err != nil {
		return nil, err
	}
	defer s.close(env)
	view := planView(env, c.Output, "Drift: the live state differs from the manifests:")
	if t, ok := view.(*diff.Text); ok {
		t.NoChanges = "No drift: the live state matches the manifests."
	}
	if m, ok := view.(*diff.Markdown); ok {
		m.Title = "runai-sync drift"
	}
	if err := view.Render(env.Stdout, s.plan); err != nil {
		return s.plan, err
	}
	var found []string
	if n := len(s.plan.Actionable()); n > 0 {
		verb := "differ"
		if n == 1 {
			verb = "differs"
		}
		found = append(found, fmt.Sprintf("%s %s from the manifests", plural(n, "object"), verb))
	}
	if n := len(s.plan.Health()); n > 0 {
		found = append(found, fmt.Sprintf("%s unhealthy", plural(n, "object")))
	}
	if len(found) > 0 {
		return s.plan, &ExitError{Code: 2, Err: fmt.Errorf("drift: %s", strings.Join(found, "; "))}
	}
	return s.plan, nil
}
