package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/runai"
	"github.com/runai-sync/runai-sync/seqera"
	"github.com/runai-sync/runai-sync/state"
)

// stateSession is the state of one command: the store, what it holds, and
// the lock when the command applies. A nil *stateSession is --state none.
type stateSession struct {
	store  state.Store
	data   *state.Data
	fp     state.Fingerprinter
	unlock func() error
}

// tenantScope names the tenants whose state entries a run over set reads
// and writes: the Run:ai base URL when the manifests need Run:ai, the
// Seqera endpoint when they need Seqera.
func tenantScope(t *tenant, set *manifest.Set) state.Scope {
	scope := state.Scope{}
	if runai.ScopeOf(set) != (runai.Scope{}) && t.url != "" {
		scope[runai.ProviderName] = state.Tenant(t.url)
	}
	if seqera.Workspaces(set) != nil && t.seqera.endpoint != "" {
		scope[seqera.ProviderName] = state.Tenant(t.seqera.endpoint)
	}
	return scope
}

// openState opens the store of spec (as --state takes it) and loads the
// entries of scope, taking the apply lock first when o.lock is set.
func openState(ctx context.Context, env *Env, spec string, o sessionOptions, scope state.Scope) (*stateSession, error) {
	if len(o.allowHosts) > 0 {
		hosts, err := state.NetworkHosts(spec, env.Getenv)
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			if err := (rest.Settings{AllowedHosts: o.allowHosts}).CheckHost("postgres://" + h); err != nil {
				return nil, fmt.Errorf("state: %w", err)
			}
		}
	}
	st, err := state.Open(spec, env.Getenv)
	if err != nil || st == nil {
		return nil, err
	}
	if n, ok := st.(state.Notifier); ok {
		n.SetNotify(func(msg string) { fmt.Fprintln(env.Stderr, msg) })
	}
	s := &stateSession{store: st}
	if o.lock {
		host, _ := os.Hostname()
		s.unlock, err = st.Lock(ctx, scope, state.Holder{Host: host, PID: os.Getpid(), Since: time.Now().UTC(), Command: o.command}, o.lockTimeout)
		if err != nil {
			_ = st.Close()
			return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s: %w", st.Describe(), err)}
		}
	}
	if s.data, err = st.Load(ctx, scope); err != nil {
		s.close(env)
		return nil, fmt.Errorf("reading the state %s: %w", st.Describe(), err)
	}
	s.fp = state.NewFingerprinter(s.data, env.Getenv(state.EnvStateKey))
	return s, nil
}

// records returns what the state recorded of the live objects, as the
// diff's input, and the objects adopted without a usable entry.
func (s *stateSession) records(desired, live []*diff.Object) (diff.Recorded, map[manifest.Key]string) {
	if s == nil {
		return state.AssumeUnread(desired, live), nil
	}
	return state.Records(s.data, s.fp, desired, live)
}

func (s *stateSession) annotate(p *diff.Plan, adopted map[manifest.Key]string) {
	if s == nil {
		p.Notes = append(p.Notes, "--state none: no fingerprints of secrets and no rotation markers are kept, so a secret changed only in git is not seen, a rotation marker is not compared, and neither is a Seqera key the platform does not show")
		return
	}
	state.Annotate(p, adopted)
}

// recorder returns the apply.Recorder of the state, or nil without state.
func (s *stateSession) recorder(ctx context.Context, p *diff.Plan) *state.Recorder {
	if s == nil {
		return nil
	}
	return state.NewRecorder(ctx, s.store, s.data, s.fp, p)
}

func (s *stateSession) close(env *Env) {
	if s == nil {
		return
	}
	if s.unlock != nil {
		if err := s.unlock(); err != nil {
			fmt.Fprintln(env.Stderr, "state: releasing the lock:", err)
		}
	}
	if err := s.store.Close(); err != nil {
		fmt.Fprintln(env.Stderr, "state:", err)
	}
}

// applyRecorder converts a possibly nil recorder to the interface without a
// typed nil inside.
func applyRecorder(r *state.Recorder) apply.Recorder {
	if r == nil {
		return nil
	}
	return r
}

// StateCmd groups the state commands.
type StateCmd struct {
	List   StateListCmd   `cmd:"" help:"Show what the state records for each managed object (never a secret)."`
	Unlock StateUnlockCmd `cmd:"" help:"Break the apply lock, when the run holding it is gone."`
}

// StateListCmd shows the state.
type StateListCmd struct {
	Output string `short:"o" enum:"text,json" default:"text" help:"text or json."`
}

// Run lists the entries.
func (c *StateListCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	st, err := state.Open(g.State, env.Getenv)
	if err != nil {
		return err
	}
	if st == nil {
		return fmt.Errorf("--state none: there is no state to list")
	}
	defer st.Close()
	entries, err := st.List(ctx)
	if err != nil {
		return fmt.Errorf("reading the state %s: %w", st.Describe(), err)
	}
	if c.Output == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"state": st.Describe(), "entries": entries})
	}
	fmt.Fprintf(env.Stdout, "State %s: %s.\n", st.Describe(), plural(len(entries), "entry"))
	if len(entries) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nTENANT\tKIND\tNAME\tSCOPE\tID\tSECRETS\tROTATION\tAPPLIED\tPENDING")
	for _, e := range entries {
		name := e.Key.Name
		if e.Key.Type != "" {
			name = e.Key.Type + " " + name
		}
		var pending []string
		for _, k := range e.Pending {
			pending = append(pending, k.String())
		}
		tenant := e.Tenant
		if tenant == "" {
			tenant = "(unclaimed)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", tenant, e.Key.Kind, name, dash(e.Key.ScopeString()), dash(e.ID),
			len(e.Fingerprints), dash(e.Rotation), e.AppliedAt.Format(time.RFC3339), strings.Join(pending, "; "))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// StateUnlockCmd breaks the lock.
type StateUnlockCmd struct{}

// Help says when to use it.
func (c *StateUnlockCmd) Help() string {
	return `Use it when an apply was killed on a machine that cannot clean up after it (a
lock held on another host is never assumed dead). A lock held by a live run is
broken too: make sure none is running.`
}

// Run breaks the lock.
func (c *StateUnlockCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	st, err := state.Open(g.State, env.Getenv)
	if err != nil {
		return err
	}
	if st == nil {
		return fmt.Errorf("--state none: there is no lock")
	}
	defer st.Close()
	was, err := st.ForceUnlock(ctx)
	if err != nil {
		return err
	}
	if len(was) == 0 {
		fmt.Fprintf(env.Stdout, "%s was not locked.\n", st.Describe())
		return nil
	}
	held := make([]string, len(was))
	for i, h := range was {
		held[i] = h.String()
	}
	fmt.Fprintf(env.Stdout, "Unlocked %s (it was held by %s).\n", st.Describe(), strings.Join(held, "; "))
	return nil
}

// stateRead is a state opened while the manifests load: a plan takes no
// lock, so it reads the entries of every tenant it could need (the Run:ai
// and Seqera tenants it is configured for) at once and narrows them to
// those its manifests need when they are loaded. Apply has none (nil): it
// locks the state first, for the scope its manifests need.
type stateRead struct {
	done  chan struct{}
	state *stateSession
	err   error
	taken bool
}

func startStateRead(ctx context.Context, env *Env, t *tenant, o sessionOptions) *stateRead {
	if o.lock {
		return nil
	}
	scope := state.Scope{}
	if t.url != "" {
		scope[runai.ProviderName] = state.Tenant(t.url)
	}
	if t.seqera.endpoint != "" {
		scope[seqera.ProviderName] = state.Tenant(t.seqera.endpoint)
	}
	r := &stateRead{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.state, r.err = openState(ctx, env, t.state, o, scope)
	}()
	return r
}

// take returns the early read's state, narrowed to scope.
func (r *stateRead) take(ctx context.Context, scope state.Scope) (*stateSession, error) {
	select {
	case <-r.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r.taken = true
	if r.err != nil || r.state == nil {
		return nil, r.err
	}
	r.state.data = r.state.data.Narrow(scope)
	return r.state, nil
}

// discard closes the early read's state when the session ended before it
// needed it (an error in the manifests or their secrets).
func (r *stateRead) discard(env *Env) {
	if r == nil || r.taken {
		return
	}
	<-r.done
	r.state.close(env)
}
