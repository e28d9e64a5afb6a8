package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/tenants"
)

// TenantFlags select the tenants of the tenants file a command runs for.
type TenantFlags struct {
	Tenant            []string `name:"tenant" sep:"none" placeholder:"NAME" help:"Run for this tenant of the tenants file (repeat; globs such as 'prod-*')."`
	AllTenants        bool     `name:"all-tenants" help:"Run for every tenant of the tenants file."`
	TenantParallelism int      `name:"tenant-parallelism" default:"4" placeholder:"N" help:"Tenants run at once, each with its own connection, lock and state."`
}

// perTenant is a command run for one tenant. It writes to env what a run
// without a tenants file writes, and returns the plan it made (nil if none)
// and its error (an *ExitError for exit codes other than 1).
type perTenant func(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error)

// tenantRun says how a command runs over tenants.
type tenantRun struct {
	// files are the -f paths; without a tenants file they are required,
	// unless the command reads no manifests (export).
	files       []string
	noManifests bool
	// output is -o: text, json or markdown.
	output string
	// title heads a Markdown report ("runai-sync plan").
	title string
	// jsonKey names each tenant's JSON output in the JSON report; default
	// "plan" (a command that makes no plan, audit say, names its own).
	jsonKey string
	// exit2 names what exit status 2 means ("drift"), for the last line;
	// "" prints none.
	exit2 string
	// offline commands (validate) resolve no connection secret.
	offline bool
	// header is the line before a tenant's output; default "== tenant NAME (URL)".
	header func(name, url string) string
	// several, when set, may refuse running several tenants (apply without --yes).
	several func(n int) error
	// names, when set, are the tenants to run (a saved plan's), not the
	// flags' selection.
	names []string
	// after, when set, sees every tenant's result and the run's error, and
	// returns the error to end with (plan --out saves the plan there).
	after func(results []*tenantResult, err error) error
	run   perTenant
	// secrets allow programs and directories to secret references;
	// secretRoot is the tenants file's directory, where its secret files
	// and its tenants' must lie ("" without a tenants file: the working
	// directory).
	secrets    SecretFlags
	secretRoot string
}

// tenantResult is what one tenant's run left behind.
type tenantResult struct {
	name, url  string
	plan       *diff.Plan
	err        error
	code       int
	stdout     bytes.Buffer
	stderr     bytes.Buffer
	outW, errW *lockedWriter
}

// run runs r for the tenants the flags select from the tenants file, or,
// without a tenants file, once for the tenant of the environment: then
// nothing differs from a runai-sync that knows no tenants.
func (f TenantFlags) run(ctx context.Context, env *Env, g *Globals, r tenantRun) error {
	inner := r.run
	r.run = func(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error) {
		p, err := inner(ctx, env, t)
		env.finished(t.name, err) // for --metrics-file
		return p, err
	}
	path, err := tenants.Find(g.Config, env.Getenv)
	if err != nil {
		return err
	}
	if path == "" {
		if r.names != nil {
			return fmt.Errorf("the plan is of tenants (%s), whose connections the tenants file gives, and there is no %s here: name it with --config FILE or %s", strings.Join(r.names, ", "), tenants.DefaultFile, tenants.EnvConfig)
		}
		if len(f.Tenant) > 0 || f.AllTenants {
			return fmt.Errorf("--tenant and --all-tenants need a tenants file, and there is no %s here: name one with --config FILE or %s", tenants.DefaultFile, tenants.EnvConfig)
		}
		if len(r.files) == 0 && !r.noManifests {
			return errors.New("missing flags: --filename=PATH: give the manifests with -f PATH (repeatable)")
		}
		t, err := envTenant(env, g, r.files)
		if err != nil {
			return err
		}
		_, err = r.run(ctx, env, t)
		return err
	}
	r.secretRoot = filepath.Dir(path)
	file, diags := tenants.Load(path)
	printDiagnostics(env, diags)
	if diags.HasErrors() {
		return &ExitError{Code: 1, Err: fmt.Errorf("%s in the tenants file %s; nothing was done", plural(diags.Errors(), "error"), path)}
	}
	if len(r.files) > 0 {
		return fmt.Errorf("-f and the tenants file %s: each tenant's manifests come from the file (manifests:); drop -f, or move the tenants file away", path)
	}
	selected, err := file.Select(f.Tenant, f.AllTenants)
	if r.names != nil {
		selected, err = file.Pick(r.names)
	}
	if err != nil {
		return err
	}
	if f.TenantParallelism < 1 {
		return errors.New("--tenant-parallelism must be at least 1")
	}
	if r.several != nil && len(selected) > 1 {
		if err := r.several(len(selected)); err != nil {
			return err
		}
	}
	if r.header == nil {
		r.header = func(name, url string) string { return fmt.Sprintf("== tenant %s (%s)", name, url) }
	}
	if len(selected) == 1 && r.output == "text" {
		// One tenant in text streams as it goes: progress, and the
		// confirmation prompt of apply, reach the terminal.
		ft := selected[0]
		fmt.Fprintln(env.Stdout, r.header(ft.Name, ft.URL))
		t, err := fileTenant(env, ft, r)
		if err == nil {
			_, err = r.run(ctx, env, t)
		}
		if r.after != nil {
			err = r.after([]*tenantResult{{name: ft.Name, url: ft.URL, err: err, code: exitCode(err)}}, err)
		}
		return err
	}
	results := runAll(ctx, env, selected, f.TenantParallelism, r)
	err = reportTenants(env, results, r)
	if r.after != nil {
		err = r.after(results, err)
	}
	return err
}

// runAll runs every selected tenant, at most par at once, each writing to
// buffers of its own so that tenants never interleave; one tenant's failure
// never stops another.
func runAll(ctx context.Context, env *Env, selected []*tenants.Tenant, par int, r tenantRun) []*tenantResult {
	results := make([]*tenantResult, len(selected))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, ft := range selected {
		res := &tenantResult{name: ft.Name, url: ft.URL}
		res.outW, res.errW = &lockedWriter{w: &res.stdout}, &lockedWriter{w: &res.stderr}
		results[i] = res
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			te := &Env{Stdin: strings.NewReader(""), Stdout: res.outW, Stderr: res.errW, Getenv: env.Getenv,
				LookupEnv: env.LookupEnv, Color: env.Color, Verbose: env.Verbose, interrupts: env.interrupts,
				observed: env.observations()}
			t, err := fileTenant(te, ft, r)
			if err == nil {
				res.plan, err = r.run(ctx, te, t)
			}
			res.err = err
			res.code = exitCode(err)
		})
	}
	wg.Wait()
	return results
}

// exitCode is the status err would end the program with.
func exitCode(err error) int {
	var ee *ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.Code
	}
	return 1
}

// worst folds exit codes: 1 over 2 over 0.
func worst(a, b int) int {
	switch {
	case a == 1 || b == 1:
		return 1
	case a == 2 || b == 2:
		return 2
	}
	return max(a, b)
}

// tenantsExit is the error that ends a run over tenants: the worst exit
// code, naming the tenants that failed (or, with exit2, that have it).
func tenantsExit(results []*tenantResult, exit2 string) error {
	code := 0
	var failed, twos []string
	for _, res := range results {
		code = worst(code, res.code)
		switch res.code {
		case 1:
			failed = append(failed, res.name)
		case 2:
			twos = append(twos, res.name)
		}
	}
	n := len(results)
	switch {
	case code == 1:
		return &ExitError{Code: 1, Err: fmt.Errorf("%d of %s failed: %s", len(failed), plural(n, "tenant"), strings.Join(failed, ", "))}
	case code == 2 && exit2 != "":
		return &ExitError{Code: 2, Err: fmt.Errorf("%s in %d of %s: %s", exit2, len(twos), plural(n, "tenant"), strings.Join(twos, ", "))}
	case code == 2:
		return &ExitError{Code: 2}
	}
	return nil
}
