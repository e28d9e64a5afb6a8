package main

import (
	"context"
	"fmt"
	"time"

	"github.com/runai-sync/runai-sync/diff"
)

// PlanCmd shows what apply would change.
type PlanCmd struct {
	ManifestFlags
	TenantFlags
	GuardFlags
	ConnFlags
	MetricsFlags
	SecretFlags
	Output           string `short:"o" enum:"text,json,markdown" default:"text" help:"Output format: text, json (see the README), or markdown (for a pull-request comment)."`
	DetailedExitcode bool   `help:"Exit 0 when there is nothing to do, 2 when there are changes (1 is always an error)."`
	Out              string `placeholder:"PLAN" help:"Also save the plan to this file, to apply exactly it later with: runai-sync apply PLAN (refused if anything changed meanwhile)."`
}

// Help describes plan.
func (c *PlanCmd) Help() string {
	return `Plan reads the manifests and the live state and prints what apply would do: +
create, ~ update in place, -/+ replace (delete, then create), - delete (only with
--prune, only inside an Ownership selector). Nothing is changed.

A plan that a safety guard refuses (a credential in use, a protected object, a
mass delete) still prints in full, lists the refusals with the flag that lifts
each, and exits 1.

  runai-sync plan -f manifests/ --prune
  runai-sync plan -f manifests/ -o markdown > plan.md   # for a PR comment`
}

// Run plans, for each selected tenant of a tenants file (--out then saves
// the plans of all of them in one file).
func (c *PlanCmd) Run(ctx context.Context, env *Env, g *Globals) (err error) {
	defer c.observe(ctx, env, "plan", time.Now(), &err)
	var saved tenantPlans
	r := tenantRun{files: c.Files, output: c.Output, secrets: c.SecretFlags, title: "runai-sync plan",
		run: func(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error) { return c.plan(ctx, env, t, &saved) }}
	if c.Out != "" {
		r.after = func(results []*tenantResult, err error) error { return saved.write(env, c.Out, results, err) }
	}
	return c.TenantFlags.run(ctx, env, g, r)
}

// plan plans one tenant; a tenant of a tenants file keeps its saved plan
// in saved.
func (c *PlanCmd) plan(ctx context.Context, env *Env, t *tenant, saved *tenantPlans) (*diff.Plan, error) {
	s, err := newSession(ctx, env, c.ConnFlags, t, sessionOptions{diff: c.options(), secrets: c.SecretFlags})
	if err != nil {
		return nil, err
	}
	defer s.close(env)
	if err := planView(env, c.Output, "").Render(env.Stdout, s.plan); err != nil {
		return s.plan, err
	}
	if s.plan.Refused() {
		// A saved refused plan could only be refused again: its flags are fixed.
		notSaved := ""
		if c.Out != "" {
			notSaved = "; it was not saved to " + c.Out
		}
		return s.plan, &ExitError{Code: 1, Err: fmt.Errorf("the plan is refused by %s (see above)%s", plural(len(s.plan.Refusals), "guard"), notSaved)}
	}
	switch {
	case c.Out != "" && t.name != "":
		if err := saved.save(env, s, t, c.options()); err != nil {
			return s.plan, err
		}
	case c.Out != "":
		if err := savePlan(env, s, c.Out, t.files, c.options()); err != nil {
			return s.plan, err
		}
	}
	switch {
	case c.DetailedExitcode && s.plan.HasChanges():
		return s.plan, &ExitError{Code: 2}
	}
	return s.plan, nil
}

// planView picks the renderer of -o.
func planView(env *Env, output, heading string) diff.View {
	switch output {
	case "json":
		return diff.JSON{}
	case "markdown":
		return &diff.Markdown{}
	}
	return &diff.Text{Color: env.Color, Heading: heading}
}
