package testkit

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Parse decodes manifests written inline, failing the test on any
// diagnostic.
func Parse(t testing.TB, src string) *manifest.Set {
	t.Helper()
	docs, diags := manifest.Parse("test.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatalf("parse: %v", diags)
	}
	for _, d := range docs {
		if err := d.Decode(); err != nil {
			t.Fatalf("decode %s: %v", d, err)
		}
	}
	return manifest.NewSet(docs)
}

// Resolver reads fromEnv references from vars, and fromFile files inside
// the working directory or the temporary directory (where tests write them).
func Resolver(vars map[string]string) manifest.Resolver {
	return manifest.Resolver{
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		Roots:     []string{".", os.TempDir()},
	}
}

// Outputs is an apply.Inputs backed by a map.
type Outputs map[manifest.Key]map[string]manifest.Secret

// Output implements apply.Inputs.
func (o Outputs) Output(k manifest.Key, field string) (manifest.Secret, bool) {
	v, ok := o[k][field]
	return v, ok
}

var _ apply.Inputs = Outputs(nil)

// Log collects log lines, safely across goroutines. Its Logf fits the
// clients' Config.Logf.
type Log struct {
	mu    sync.Mutex
	lines []string
}

// Logf records one line.
func (l *Log) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// Lines returns a copy of the lines so far.
func (l *Log) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// NoSecretIn fails the test when any text holds any of secrets (empty
// ones are skipped). The failure shows the secret's first four characters
// only.
func NoSecretIn(t testing.TB, texts []string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, txt := range texts {
			if strings.Contains(txt, s) {
				t.Errorf("secret %.4s… leaked in %q", s, strings.ReplaceAll(txt, s, "<SECRET>"))
			}
		}
	}
}

// Provider is a provider as the helpers drive it.
type Provider interface {
	apply.Provider
	Desired(set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics)
	Snapshot(ctx context.Context) ([]*diff.Object, error)
}

// Desired parses manifests written inline and builds p's desired objects,
// resolving fromEnv references from vars, failing on any diagnostic.
func Desired(t testing.TB, p Provider, src string, vars map[string]string) []*diff.Object {
	t.Helper()
	objs, diags := p.Desired(Parse(t, src), Resolver(vars))
	if len(diags) > 0 {
		t.Fatalf("Desired: %v", diags)
	}
	return objs
}

// Snapshot reads p's live objects by key, failing on an error or on a key
// seen twice.
func Snapshot(t testing.TB, p Provider) map[manifest.Key]*diff.Object {
	t.Helper()
	objs, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	m := map[manifest.Key]*diff.Object{}
	for _, o := range objs {
		if _, dup := m[o.Key]; dup {
			t.Fatalf("Snapshot: %s twice", o.Key)
		}
		m[o.Key] = o
	}
	return m
}

// Create runs the create step of a desired object.
func Create(ctx context.Context, p Provider, d *diff.Object, in apply.Inputs) (apply.Result, error) {
	ch := &diff.Change{Action: diff.Create, Key: d.Key, Provider: p.Name(), Desired: d}
	return p.Do(ctx, diff.Step{Phase: diff.PhaseCreate, Level: 1, Change: ch}, in)
}

// MustCreate creates every object, failing on an error, and returns their
// ids.
func MustCreate(t testing.TB, p Provider, objs ...*diff.Object) []string {
	t.Helper()
	var ids []string
	for _, d := range objs {
		res, err := Create(context.Background(), p, d, nil)
		if err != nil {
			t.Fatalf("create %s: %v", d.Key, err)
		}
		ids = append(ids, res.ID)
	}
	return ids
}

// CreateAndRead creates every object, reads the live objects back, and
// checks that there is one for each create, under its key, with the id the
// create returned, the provider's name and the desired attributes, and no
// other.
func CreateAndRead(t testing.TB, p Provider, objs []*diff.Object) (ids []string, live map[manifest.Key]*diff.Object) {
	t.Helper()
	ids = MustCreate(t, p, objs...)
	live = Snapshot(t, p)
	if len(live) != len(objs) {
		t.Errorf("%d live objects for %d creates", len(live), len(objs))
	}
	for i, d := range objs {
		switch l := live[d.Key]; {
		case l == nil:
			t.Errorf("%s: not in the snapshot (keys differ?)", d.Key)
		case l.ID != ids[i] || l.Provider != p.Name() || d.Provider != p.Name():
			t.Errorf("%s: the create returned id %q, the live one is %q of provider %q (desired: %q)", d.Key, ids[i], l.ID, l.Provider, d.Provider)
		default:
			if diff := cmp.Diff(d.Attrs, l.Attrs); diff != "" {
				t.Errorf("%s: Attrs (-desired +live):\n%s", d.Key, diff)
			}
		}
	}
	return ids, live
}

// StatusLines returns the lines of a client's log (one per HTTP attempt,
// "GET /path -> 503 …") that show an answer with status.
func StatusLines(lines []string, status string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, " -> "+status+" ") {
			out = append(out, l)
		}
	}
	return out
}

// DeleteAll runs the delete step of every live object, failing on an
// error, and checks that none is left.
func DeleteAll(t testing.TB, p Provider, live map[manifest.Key]*diff.Object) {
	t.Helper()
	for _, l := range live {
		ch := &diff.Change{Action: diff.Delete, Key: l.Key, ID: l.ID, Provider: p.Name(), Live: l}
		if _, err := p.Do(context.Background(), diff.Step{Phase: diff.PhaseDelete, Level: 1, Change: ch}, nil); err != nil {
			t.Errorf("delete %s: %v", l.Key, err)
		}
	}
	if n := len(Snapshot(t, p)); n != 0 {
		t.Errorf("%d objects left after deleting all", n)
	}
}
