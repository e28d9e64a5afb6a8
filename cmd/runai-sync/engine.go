package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/alecthomas/kong"
	"golang.org/x/sync/errgroup"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/runai"
	"github.com/runai-sync/runai-sync/seqera"
)

// provider is what the commands need of a provider package: turn manifests
// into desired objects, read the live ones, and carry out steps.
type provider interface {
	apply.Provider
	Desired(set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics)
	Snapshot(ctx context.Context) ([]*diff.Object, error)
}

// ConnFlags connect to the APIs.
type ConnFlags struct {
	CAFile  string        `name:"ca-file" env:"RUNAI_CA_FILE" type:"existingfile" placeholder:"FILE" help:"PEM file of extra certificate authorities to trust for the Run:ai and Seqera APIs (TLS verification is always on)."`
	Timeout time.Duration `default:"30s" help:"Timeout of one HTTP request (retries come on top, bounded)."`
	// MaxAttempts bounds the tries of one request on 5xx and network
	// errors; 429s do not count, and two minutes bound every request.
	MaxAttempts attemptCount `name:"max-attempts" env:"RUNAI_SYNC_MAX_ATTEMPTS" default:"8" placeholder:"N" help:"Tries of one HTTP request, the first included, on 5xx answers and network errors (429s do not count; 2 minutes bound each request)."`
	// InsecureHTTP allows plain http:// URLs of hosts other than loopback.
	InsecureHTTP bool `name:"insecure-http" help:"Allow a plain http:// Run:ai URL or Seqera endpoint on a host other than loopback (the credentials then cross the network in clear)."`
	// AllowHost pins the hosts credentials go to, from outside the
	// repository: a pull request that changes a tenant's URL in the
	// tenants file cannot take its credentials elsewhere.
	AllowHost []string `name:"allow-host" env:"RUNAI_SYNC_ALLOWED_HOSTS" sep:"," placeholder:"HOST" help:"Send credentials only to these hosts: Run:ai URLs, Seqera endpoints and a postgres:// state (a name, a pattern such as '*.run.ai', or HOST:PORT); repeat, or a comma-separated RUNAI_SYNC_ALLOWED_HOSTS. Set it in the CI workflow, out of a pull request's reach. Unset, any host is used."`
}

// attemptCount is a --max-attempts value: a whole number of at least 1.
type attemptCount int

// Decode implements kong.MapperValue.
func (a *attemptCount) Decode(ctx *kong.DecodeContext) error {
	var s string
	if err := ctx.Scan.PopValueInto("max-attempts", &s); err != nil {
		return err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a whole number of at least 1", s)
	}
	*a = attemptCount(n)
	return nil
}

// GuardFlags lift the safety guards.
type GuardFlags struct {
	Prune           bool `help:"Delete live objects inside an Ownership selector that no manifest declares."`
	Force           bool `help:"Allow deleting or replacing credentials that workloads use."`
	AllowProtected  bool `help:"Allow deleting or replacing protected objects."`
	AllowMassDelete bool `help:"Allow a plan that deletes every owned object, or more than 30% of them."`
}

func (g GuardFlags) options() diff.Options {
	return diff.Options{Prune: g.Prune, Force: g.Force, AllowProtected: g.AllowProtected, AllowMassDelete: g.AllowMassDelete}
}

// session is one run against the live state: the manifests, the providers
// they need, the state, and the plan.
type session struct {
	set       *manifest.Set
	providers []provider
	plan      *diff.Plan
	state     *stateSession // nil with --state none
}

// sessionOptions say what a command needs of its session.
type sessionOptions struct {
	diff diff.Options
	// lock takes the apply lock (for apply), waiting up to lockTimeout.
	lock        bool
	lockTimeout time.Duration
	command     string
	// deleteTimeout bounds the waits for credentials being deleted (apply).
	deleteTimeout time.Duration
	// secrets allow programs and outside directories to secret references.
	secrets SecretFlags
	// allowHosts is --allow-host: a postgres:// state must be on one.
	allowHosts []string
}

// newSession loads the tenant's manifests, opens its state (locking it for
// apply), connects to the providers the manifests need, resolves every
// secret reference, reads live state and computes the plan. Every problem
// before the plan is an error: nothing has changed yet, and the lock is
// released. close must be called on the session returned.
func newSession(ctx context.Context, env *Env, conn ConnFlags, t *tenant, o sessionOptions) (_ *session, err error) {
	o.allowHosts = conn.AllowHost
	// The login and the reads depend on nothing in the manifests but
	// which families and org units they name: when Run:ai is configured
	// they run while the manifests load and validate (see readahead.go).
	runaiClient, runaiErr := t.runaiClient(env, conn)
	ahead := startReadAhead(ctx, runaiClient, t.files, o.lock)
	defer ahead.stop()
	// A plan reads its state meanwhile too (see stateRead).
	early := startStateRead(ctx, env, t, o)
	defer early.discard(env)
	set, diags := load(env, t)
	printDiagnostics(env, diags)
	if diags.HasErrors() {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s in the manifests; nothing was changed", plural(diags.Errors(), "error"))}
	}
	// s is not the named result: every error return sets that to nil,
	// and the cleanup must still see the state (and its lock) to release.
	s := &session{set: set}
	defer func() {
		if err != nil {
			s.close(env)
		}
	}()
	if o.lock {
		// Apply locks the state before it reads anything else.
		if s.state, err = openState(ctx, env, t.state, o, tenantScope(t, set)); err != nil {
			return nil, err
		}
	}
	if scope := runai.ScopeOf(set); scope != (runai.Scope{}) {
		if runaiErr != nil {
			return nil, runaiErr
		}
		rp := runai.NewProviderScoped(runaiClient, scope)
		rp.DeleteTimeout = o.deleteTimeout
		s.providers = append(s.providers, rp)
	}
	if ws := seqera.Workspaces(set); ws != nil {
		p, err := connectSeqera(env, conn, t, ws, o.diff.Force)
		if err != nil {
			return nil, err
		}
		s.providers = append(s.providers, p)
	}
	names, err := resolveOrgUnits(ctx, env, set, runaiClient, runaiErr, ahead)
	if err != nil {
		return nil, err
	}
	// SOPS files and commands first, each once and in parallel; a
	// command not allowed stops everything before any runs.
	resolver := o.secrets.resolver(env, t.secretRoots...)
	problems := resolver.Prepare(set)
	var desired []*diff.Object
	for _, p := range s.providers {
		if problems.HasErrors() {
			break
		}
		objs, ds := p.Desired(set, resolver)
		desired = append(desired, objs...)
		problems = append(problems, ds...)
	}
	problems = problems.Sort()
	printDiagnostics(env, problems)
	if problems.HasErrors() {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s resolving secrets; nothing was changed", plural(problems.Errors(), "error"))}
	}
	if !o.lock {
		// A plan's state is read meanwhile; it is first needed below.
		if s.state, err = early.take(ctx, tenantScope(t, set)); err != nil {
			return nil, err
		}
	}
	live, err := snapshots(ctx, s.providers, ahead)
	if err != nil {
		return nil, err
	}
	recorded, adopted := s.state.records(desired, live)
	s.plan = diff.ComputeRecorded(desired, live, recorded, set, o.diff)
	s.plan.ScopeNames = names
	s.state.annotate(s.plan, adopted)
	env.observe(t.name, s)
	return s, nil
}

// close releases the lock and the state.
func (s *session) close(env *Env) {
	if s != nil {
		s.state.close(env)
	}
}

// snapshots reads the live state of every provider at once, or takes
// what the read-ahead read already. The first failure cancels the other
// reads.
func snapshots(ctx context.Context, providers []provider, ahead *readAhead) ([]*diff.Object, error) {
	g, ctx := errgroup.WithContext(ctx)
	results := make([][]*diff.Object, len(providers))
	for i, p := range providers {
		g.Go(func() (err error) {
			objs, found, err := ahead.snapshot(ctx, p)
			if !found {
				objs, err = p.Snapshot(ctx)
			}
			if results[i] = objs; err != nil {
				return fmt.Errorf("reading live state from %s: %w", p.Name(), err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(results...), nil
}

// connectSeqera builds the Seqera provider for the workspaces the manifests
// name; a run without Seqera resources never gets here, so it needs no
// Seqera token.
func connectSeqera(env *Env, conn ConnFlags, t *tenant, workspaces []string, force bool) (provider, error) {
	c, err := seqera.New(t.seqeraConfig(env, conn))
	if err != nil {
		return nil, err
	}
	return seqera.NewProvider(c, workspaces, seqera.Options{Force: force}), nil
}

// settings are the connection settings of both APIs: --ca-file,
// --timeout, --max-attempts, our User-Agent, and with -v a line per HTTP
// attempt.
func (conn ConnFlags) settings(env *Env) rest.Settings {
	s := rest.Settings{CAFile: conn.CAFile, Timeout: conn.Timeout, UserAgent: "runai-sync/" + version(),
		Retry: rest.RetryPolicy{MaxAttempts: int(conn.MaxAttempts)}, InsecureHTTP: conn.InsecureHTTP, AllowedHosts: conn.AllowHost}
	if env.Verbose > 0 {
		s.Logf = env.logf
	}
	return s
}

func applyProviders(ps []provider) []apply.Provider {
	out := make([]apply.Provider, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}
