package runai

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// Routes of the emulator's Counts.
const (
	routeToken = "POST /api/v1/token"
	routeList  = "GET /api/v1/asset/credentials"
)

// clock is a fake clock shared by an emulator and a client. Sleeping on it
// advances it, so waits the server asked for (Retry-After) pass at once.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Sleep is a rest.RetryPolicy.Sleep that advances the clock instead of
// waiting.
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	runtime.Gosched()
	return ctx.Err()
}

// env is an emulator with a client and a provider talking to it.
type env struct {
	t     *testing.T
	em    *emulator.Instance
	clock *clock
	log   *testkit.Log
	cfg   Config
	c     *Client
	p     *Provider
}

// setup starts an emulator on a fake clock and a client logged in as its
// admin, with retries that advance the clock instead of sleeping.
func setup(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(), log: &testkit.Log{}}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	e.em = emulator.Start(t, opts)
	e.cfg = Config{
		BaseURL:      e.em.URL,
		ClientID:     e.em.ClientID,
		ClientSecret: manifest.NewSecret(e.em.ClientSecret),
		Settings:     rest.Settings{UserAgent: "runai-sync/test", Logf: e.log.Logf, Retry: e.retry()},
		Now:          e.clock.Now,
	}
	e.c, e.p = e.connect(e.cfg)
	return e
}

// retry is a policy with tiny backoff whose waits advance the clock.
func (e *env) retry() rest.RetryPolicy {
	return rest.RetryPolicy{
		MaxAttempts: 12,
		BaseDelay:   time.Microsecond,
		MaxDelay:    50 * time.Microsecond,
		Sleep:       e.clock.Sleep,
	}
}

func (e *env) connect(cfg Config) (*Client, *Provider) {
	e.t.Helper()
	c, err := New(cfg)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	p := NewProvider(c)
	p.PollInterval = time.Millisecond
	return c, p
}

// desired parses and resolves manifests, failing on any diagnostic.
func (e *env) desired(src string, vars map[string]string) []*diff.Object {
	e.t.Helper()
	return testkit.Desired(e.t, e.p, src, vars)
}

// create runs the create step of a desired object.
func (e *env) create(ctx context.Context, d *diff.Object, in apply.Inputs) (apply.Result, error) {
	return testkit.Create(ctx, e.p, d, in)
}

// mustCreate creates every object, failing on an error.
func (e *env) mustCreate(objs ...*diff.Object) []string {
	e.t.Helper()
	return testkit.MustCreate(e.t, e.p, objs...)
}

// snapshot reads the live objects by key.
func (e *env) snapshot() map[manifest.Key]*diff.Object {
	e.t.Helper()
	return testkit.Snapshot(e.t, e.p)
}

// credentialDoc is a Credential manifest with the given metadata and spec
// lines (YAML flow maps).
func credentialDoc(name, scope, spec string) string {
	return fmt.Sprintf("---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: %s, %s}\nspec: %s\n", name, scope, spec)
}
