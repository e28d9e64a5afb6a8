package seqera

import (
	"context"
	"fmt"
	"strings"
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
	routeList   = "GET /api/credentials"
	routeCreate = "POST /api/credentials"
	routeUpdate = "PUT /api/credentials/{credentialsId}"
	routeDelete = "DELETE /api/credentials/{credentialsId}"
)

// allWorkspaces are the emulator's default workspaces and the personal one.
var allWorkspaces = []string{"", "1001", "1002"}

// env is an emulator with a client and a provider talking to it.
type env struct {
	t   *testing.T
	em  *emulator.Instance
	log *testkit.Log
	cfg Config
	c   *Client
	p   *Provider
}

// setup starts an emulator and a client with its Seqera token, retrying
// without waiting, reading every workspace.
func setup(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	e := &env{t: t, log: &testkit.Log{}}
	e.em = emulator.Start(t, opts)
	e.cfg = Config{
		Endpoint: e.em.SeqeraURL,
		Token:    manifest.NewSecret(e.em.SeqeraToken),
		Settings: rest.Settings{UserAgent: "runai-sync/test", Logf: e.log.Logf,
			Retry: rest.RetryPolicy{MaxAttempts: 20, BaseDelay: time.Microsecond, MaxDelay: 10 * time.Microsecond, Sleep: noSleep}},
	}
	e.c, e.p = e.connect(e.cfg, Options{})
	return e
}

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func (e *env) connect(cfg Config, opts Options) (*Client, *Provider) {
	e.t.Helper()
	c, err := New(cfg)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return c, NewProvider(c, allWorkspaces, opts)
}

// desired parses and resolves manifests, failing on any diagnostic.
func (e *env) desired(src string, vars map[string]string) []*diff.Object {
	e.t.Helper()
	return testkit.Desired(e.t, e.p, src, vars)
}

// step runs one step of a change.
func (e *env) step(phase diff.Phase, ch *diff.Change, in apply.Inputs) (string, error) {
	res, err := e.p.Do(context.Background(), diff.Step{Phase: phase, Level: 1, Change: ch}, in)
	return res.ID, err
}

// create runs the create step of a desired object.
func (e *env) create(d *diff.Object, in apply.Inputs) (string, error) {
	res, err := testkit.Create(context.Background(), e.p, d, in)
	return res.ID, err
}

// mustCreate creates every object, failing on an error.
func (e *env) mustCreate(objs ...*diff.Object) []string {
	e.t.Helper()
	return testkit.MustCreate(e.t, e.p, objs...)
}

// remove runs the delete step of a live object.
func (e *env) remove(l *diff.Object) error {
	_, err := e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: l.Key, ID: l.ID, Live: l}, nil)
	return err
}

// snapshot reads the live objects by key.
func (e *env) snapshot() map[manifest.Key]*diff.Object {
	e.t.Helper()
	return testkit.Snapshot(e.t, e.p)
}

// seqeraDoc is a SeqeraCredential manifest with the given metadata fields
// and spec (YAML flow maps without braces for metadata).
func seqeraDoc(name, meta, spec string) string {
	if meta != "" {
		meta = ", " + meta
	}
	return fmt.Sprintf("---\napiVersion: runai-sync/v1\nkind: SeqeraCredential\nmetadata: {name: %s%s}\nspec: %s\n", name, meta, spec)
}

// key is the key of a Seqera credential.
func key(ws, name string) manifest.Key {
	return manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: manifest.ScopeWorkspace, ScopeID: ws, Name: name}
}

// targets lists "METHOD path?query" of the logged attempts of method.
func (e *env) targets(method string) []string {
	var out []string
	for _, l := range e.log.Lines() {
		if f := strings.Fields(l); len(f) > 1 && f[0] == method {
			out = append(out, f[0]+" "+f[1])
		}
	}
	return out
}
