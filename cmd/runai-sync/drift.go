package main

import (
	"context"
	"fmt"

	"github.com/runai-sync/runai-sync/diff"
)

// DriftCmd reports drift.
type DriftCmd struct {
	ManifestFlags
	ConnFlags
	Output string `short:"o" enum:"text,json,markdown" default:"text" help:"Output format: text, json or markdown."`
}

// Help describes drift.
func (c *DriftCmd) Help() string {
	return `Drift compares the live state with the manifests, as plan --prune would, and
reports every object that differs: changed, missing, or present inside an
Ownership selector without a manifest. Ignored objects are not reported.

Exit status: 0 in sync, 2 drift found (each drifted object named), 1 error.
Made for a cron job:

  runai-sync drift -f manifests/ || alert`
}

// Run reports drift.
func (c *DriftCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	// Drift reports; it never applies, so the guards do not apply either.
	opts := diff.Options{Prune: true, Force: true, AllowProtected: true, AllowMassDelete: true}
	s, err := newSession(ctx, env, g, c.ConnFlags, c.Files, sessionOptions{diff: opts})
	if err != nil {
		return err
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
		return err
	}
	if n := len(s.plan.Actionable()); n > 0 {
		verb := "differ"
		if n == 1 {
			verb = "differs"
		}
		return &ExitError{Code: 2, Err: fmt.Errorf("drift: %s %s from the manifests", plural(n, "object"), verb)}
	}
	return nil
}
