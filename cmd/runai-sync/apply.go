package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
)

// ApplyCmd makes the live state equal to the manifests.
type ApplyCmd struct {
	Files []string `short:"f" name:"filename" sep:"none" placeholder:"PATH" help:"Manifest file or directory (recursive: .yaml, .yml, .json); repeat for more; - reads standard input."`
	Plan  string   `arg:"" optional:"" name:"plan" help:"A plan saved with plan --out: apply exactly it, after checking that nothing it touches changed."`
	TenantFlags
	GuardFlags
	ConnFlags
	MetricsFlags
	SecretFlags
	DryRun      bool          `help:"Print the plan and the order the steps would run in; change nothing."`
	Yes         bool          `short:"y" help:"Apply without asking (needed when not run on a terminal)."`
	Parallelism int           `default:"8" help:"Independent changes run at once."`
	Wait        bool          `help:"After applying, wait until Run:ai reports the credentials synced to the clusters."`
	WaitTimeout time.Duration `default:"5m" help:"How long --wait waits."`
	// DeleteTimeout bounds each wait for a Run:ai credential being deleted
	// (deletion is asynchronous on a real tenant).
	DeleteTimeout time.Duration `default:"2m" help:"How long a replace waits for the old credential to be gone before creating the new one, and a create for a name still being deleted."`
	LockTimeout   time.Duration `default:"1m" help:"How long to wait for another apply holding the state lock."`
}

// Help describes apply.
func (c *ApplyCmd) Help() string {
	return `Apply computes the same plan as plan, prints it, asks for confirmation on a
terminal (or takes --yes), and carries it out: deletes of pruned objects first
(dependents before what they depend on), then creates, updates and replaces
(dependencies first), independent changes in parallel. A replace deletes the old
object, waits until it is gone (--delete-timeout) and creates the new one at
once. A refused plan changes nothing. If anything fails, apply says what was
done and what was not, and exits 1; running it again converges.

Ctrl-C (or SIGTERM) starts no new step, lets the steps in flight finish (a
replace started creates its object again), records them, says what was and was
not done, and exits 1; a second Ctrl-C stops at once.

  runai-sync apply -f manifests/ --prune --yes`
}

// Run applies, for each selected tenant of a tenants file.
func (c *ApplyCmd) Run(ctx context.Context, env *Env, g *Globals) (err error) {
	defer c.observe(ctx, env, "apply", time.Now(), &err)
	if c.Parallelism < 1 {
		return errors.New("--parallelism must be at least 1")
	}
	if c.DeleteTimeout <= 0 {
		return errors.New("--delete-timeout must be positive, e.g. 2m")
	}
	switch {
	case c.Plan != "" && (len(c.Files) > 0 || c.GuardFlags != GuardFlags{}):
		return errPlanAndFlags
	case c.Plan != "":
		if f, ok, err := readTenantsPlan(c.Plan); ok || err != nil {
			if err != nil {
				return err
			}
			return c.applyTenantsPlan(ctx, env, g, f)
		}
		saved, err := readPlan(c.Plan)
		if err != nil {
			return err
		}
		t, err := envTenant(env, g, planFiles(c.Plan, saved))
		if err != nil {
			return err
		}
		return c.apply(ctx, env, t, saved)
	}
	return c.TenantFlags.run(ctx, env, g, tenantRun{files: c.Files, output: "text", several: c.several, secrets: c.SecretFlags,
		run: func(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error) {
			return nil, c.apply(ctx, env, t, nil)
		}})
}

// several refuses to apply to several tenants without --yes: there is no
// prompt for each.
func (c *ApplyCmd) several(n int) error {
	if c.Yes || c.DryRun {
		return nil
	}
	return fmt.Errorf("applying to %d tenants needs --yes (review their plans first with plan and the same --tenant or --all-tenants)", n)
}

// apply applies the manifests of one tenant, or a plan saved for it.
func (c *ApplyCmd) apply(ctx context.Context, env *Env, t *tenant, saved *diff.Saved) error {
	opts := c.options()
	if saved != nil {
		opts = saved.Options
	}
	s, err := newSession(ctx, env, c.ConnFlags, t, sessionOptions{
		diff: opts, lock: !c.DryRun, lockTimeout: c.LockTimeout, command: commandLine(), deleteTimeout: c.DeleteTimeout, secrets: c.SecretFlags,
	})
	if err != nil {
		return err
	}
	defer s.close(env)
	if saved != nil {
		if s.plan, err = checkSaved(env, s, saved, c.Plan); err != nil {
			return err
		}
	}
	if err := planView(env, "text", "").Render(env.Stdout, s.plan); err != nil {
		return err
	}
	if s.plan.Refused() {
		return &ExitError{Code: 1, Err: fmt.Errorf("apply refused by %s (see above); nothing was changed", plural(len(s.plan.Refusals), "guard"))}
	}
	if !s.plan.HasChanges() {
		if rec := s.state.recorder(ctx, s.plan); rec != nil && !c.DryRun {
			if err := rec.Adopt(); err != nil {
				return fmt.Errorf("state: recording adopted objects: %w", err)
			}
		}
		fmt.Fprintln(env.Stdout, "\nNothing to apply.")
		if c.Wait && !c.DryRun {
			return c.waitOnly(ctx, env, s)
		}
		return nil
	}
	if !c.DryRun && !c.Yes {
		if err := confirm(env); err != nil {
			return err
		}
	}
	fmt.Fprintln(env.Stdout)
	s.set.Compact()
	// The apply waits on the network: collecting garbage more often costs
	// no wall time here and keeps the peak memory of large applies down.
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	prog := newProgress(env)
	rec := s.state.recorder(ctx, s.plan)
	stop, endGentle := env.interrupts.gentleStop()
	rep, err := apply.Run(ctx, s.plan, applyProviders(s.providers), apply.Options{
		Parallelism: c.Parallelism, DryRun: c.DryRun, Wait: c.Wait, WaitTimeout: c.WaitTimeout, Observer: prog,
		Recorder: applyRecorder(rec), Stop: stop,
	})
	endGentle()
	prog.finish()
	if err != nil {
		return err
	}
	if rec != nil && !c.DryRun {
		if err := rec.Adopt(); err != nil {
			fmt.Fprintln(env.Stderr, "state: recording adopted objects:", err)
		}
	}
	return summarize(env, s.plan, rep, c.DryRun)
}

// waitOnly waits, with nothing to apply, for the credentials still
// syncing (--wait): the apply that changed them may not have waited.
func (c *ApplyCmd) waitOnly(ctx context.Context, env *Env, s *session) error {
	prog := newProgress(env)
	rep, err := apply.Run(ctx, s.plan, applyProviders(s.providers), apply.Options{Wait: true, WaitTimeout: c.WaitTimeout, Observer: prog})
	prog.finish()
	if err != nil {
		return err
	}
	if rep.WaitErr != nil {
		fmt.Fprintf(env.Stdout, "Not everything synced to the clusters:\n  %v\n", rep.WaitErr)
		return &ExitError{Code: 1, Err: fmt.Errorf("not synced: %w", rep.WaitErr)}
	}
	return nil
}

// confirm asks on a terminal; without one, --yes is required.
func confirm(env *Env) error {
	if !env.StdinTerminal {
		return errors.New("not applying without --yes: standard input is not a terminal to confirm on")
	}
	// The question goes to standard error: with "apply > log" it still shows.
	fmt.Fprint(env.Stderr, "\nApply these changes? Only 'yes' proceeds: ")
	line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return &ExitError{Code: 1, Err: errors.New("apply cancelled; nothing was changed")}
	}
	return nil
}

// summarize prints what was done per change and returns the exit error.
// A failed apply says what failed on standard error too (standard output
// may be a log nobody reads).
func summarize(env *Env, plan *diff.Plan, rep *apply.Report, dryRun bool) error {
	if dryRun {
		fmt.Fprintf(env.Stdout, "\nDry run: nothing was changed. %s\n", diff.SummaryLine(plan.Summary()))
		return nil
	}
	steps := map[*diff.Change][2]int{} // per change: steps done, steps in all
	for _, w := range plan.Steps() {
		for _, s := range w {
			v := steps[s.Change]
			v[1]++
			steps[s.Change] = v
		}
	}
	for _, s := range rep.Done {
		v := steps[s.Change]
		v[0]++
		steps[s.Change] = v
	}
	failed := map[*diff.Change]bool{}
	for _, f := range rep.Failed {
		failed[f.Step.Change] = true
	}
	var counts [5]int
	var done, partial, pending []string
	for _, c := range plan.Actionable() {
		v := steps[c]
		switch {
		case v[0] == v[1]:
			counts[c.Action]++
			done = append(done, c.Key.String())
		case v[0] > 0:
			partial = append(partial, c.Key.String()+" (deleted, not yet re-created)")
		case !failed[c]:
			pending = append(pending, c.Key.String())
		}
	}
	took := humanDuration(rep.Elapsed)
	if rep.OK() {
		fmt.Fprintf(env.Stdout, "\nApply complete in %v: %d created, %d updated, %d replaced, %d deleted.\n",
			took, counts[diff.Create], counts[diff.Update], counts[diff.Replace], counts[diff.Delete])
		return nil
	}
	if len(rep.Failed) == 0 && len(rep.NotAttempted) == 0 {
		fmt.Fprintf(env.Stdout, "\nApply done in %v, but not everything synced to the clusters:\n  %v\n", took, rep.WaitErr)
		fmt.Fprintln(env.Stdout, "Every change was made; check the clusters named above (apply --wait checks again).")
		return &ExitError{Code: 1, Err: fmt.Errorf("every change was made, but not everything synced: %w", rep.WaitErr)}
	}
	what := "failed"
	if rep.Interrupted {
		what = "interrupted"
	}
	var lines []string
	for _, f := range rep.Failed {
		lines = append(lines, fmt.Sprintf("failed: %v", f))
	}
	if rep.WaitErr != nil {
		lines = append(lines, fmt.Sprintf("not synced: %v", rep.WaitErr))
	}
	for _, p := range partial {
		lines = append(lines, "half done: "+p)
	}
	if len(pending) > 0 {
		lines = append(lines, "not done: "+strings.Join(pending, "; "))
	}
	head := fmt.Sprintf("apply %s after %v: %d of %d changes done", what, took, len(done), len(plan.Actionable()))
	fmt.Fprintf(env.Stdout, "\n%s%s.\n", strings.ToUpper(head[:1]), head[1:])
	for _, l := range lines {
		fmt.Fprintf(env.Stdout, "  %s\n", l)
	}
	fmt.Fprintln(env.Stdout, "Run apply again to finish: it plans from the live state, so it converges.")
	return &ExitError{Code: 1, Err: fmt.Errorf("%s:\n  %s", head, strings.Join(lines, "\n  "))}
}

// humanDuration rounds for people: 850ms, 3.2s, 1m4s.
func humanDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// commandLine names this run for the lock holder: "runai-sync apply -f x".
func commandLine() string {
	return "runai-sync " + strings.Join(os.Args[1:], " ")
}
