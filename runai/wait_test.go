package runai

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/manifest"
)

// reports collects what Wait reports.
type reports struct {
	mu  sync.Mutex
	got []string
}

func (r *reports) report(k manifest.Key, status string, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := k.Name + ": " + status
	if failed {
		s += " (failed)"
	}
	r.got = append(r.got, s)
}

// createChanges creates the manifests and returns their changes.
func (e *env) createChanges(src string) ([]*diff.Change, []string) {
	e.t.Helper()
	objs := e.desired(src, nil)
	ids := e.mustCreate(objs...)
	var changes []*diff.Change
	for _, d := range objs {
		changes = append(changes, &diff.Change{Action: diff.Create, Key: d.Key, Provider: ProviderName, Desired: d})
	}
	return changes, ids
}

func TestWaitUntilSynced(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{SyncDelay: time.Hour})
	changes, _ := e.createChanges(credentialDoc("a", "scope: tenant", `{type: password, user: u, password: p}`) +
		credentialDoc("b", "scope: project, projectId: 12", `{type: ngcApiKey, ngc_api_key: k}`))
	// A no-op and a delete are not waited for.
	changes = append(changes,
		&diff.Change{Action: diff.NoOp, Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "tenant", Name: "unchanged"}, Provider: ProviderName},
		&diff.Change{Action: diff.Delete, Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "tenant", Name: "gone"}, Provider: ProviderName})
	e.em.Server.ResetCounts()
	var r reports
	done := make(chan error, 1)
	go func() { done <- e.p.Wait(context.Background(), changes, r.report) }()
	// Let Wait see "Creating" twice, then let the sync delay pass.
	for e.em.Server.Counts()[routeList] < 2 {
		time.Sleep(time.Millisecond)
	}
	e.clock.Advance(2 * time.Hour)
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
	want := []string{"a: No issues found", "b: No issues found"}
	if diff := cmp.Diff(want, r.got, sortStrings); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	if n := e.em.Server.Counts()[routeList]; n < 3 {
		t.Errorf("Wait made %d list calls, want at least 3 (two while Creating)", n)
	}
}

func TestWaitReportsFailures(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	changes, ids := e.createChanges(credentialDoc("ok", "scope: tenant", `{type: password, user: u, password: p}`) +
		credentialDoc("bad", "scope: project, projectId: 12", `{type: password, user: u, password: p}`) +
		credentialDoc("issues", "scope: department, departmentId: \"2\"", `{type: password, user: u, password: p}`) +
		credentialDoc("gone", "scope: tenant", `{type: password, user: u, password: p}`))
	// Deleted behind the wait's back: it can never sync.
	gone := changes[3].Key
	if _, err := e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: gone, ID: ids[3], Live: &diff.Object{Key: gone, ID: ids[3], Provider: ProviderName}}); err != nil {
		t.Fatal(err)
	}
	if err := e.em.Server.SetSyncStatus(ids[1], "Failed"); err != nil {
		t.Fatal(err)
	}
	if err := e.em.Server.SetSyncStatus(ids[2], "Issues found"); err != nil {
		t.Fatal(err)
	}
	var r reports
	// A wait that missed the deleted credential would poll until this ends.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := e.p.Wait(ctx, changes, r.report)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v, want the credentials that did not sync", err)
	}
	for _, want := range []string{
		"3 credential(s) did not sync",
		"credential gone (password, tenant): no longer exists",
		"credential bad (password, project 12): Failed (the credential could not be replicated to cluster " + emulator.DefaultClusterID + ")",
		"credential issues (password, department 2): Issues found",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	want := []string{"bad: Failed (failed)", "gone: missing (failed)", "issues: Issues found (failed)", "ok: No issues found"}
	if diff := cmp.Diff(want, r.got, sortStrings); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{SyncDelay: time.Hour})
	changes, _ := e.createChanges(credentialDoc("slow", "scope: tenant", `{type: password, user: u, password: p}`))
	ctx, cancel := context.WithCancel(context.Background())
	e.em.Server.ResetCounts()
	done := make(chan error, 1)
	go func() { done <- e.p.Wait(ctx, changes, nil) }()
	for e.em.Server.Counts()[routeList] < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
}

// sortStrings makes cmp ignore the order of reports.
var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

// TestWaitTimeoutNamesEveryPendingCredential: when the wait ends first, the
// error names each credential not synced with its status, and wraps the
// context's error; an unchanged credential still Creating is waited for.
func TestWaitTimeoutNamesEveryPendingCredential(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{SyncDelay: time.Hour})
	changes, _ := e.createChanges(credentialDoc("new-a", "scope: tenant", `{type: password, user: u, password: p}`))
	old := e.desired(credentialDoc("old-b", "scope: tenant", `{type: password, user: u, password: p}`), nil)[0]
	e.mustCreate(old)
	live := e.snapshot()[old.Key]
	if live.Status != "Creating" {
		t.Fatalf("live status %q, want Creating", live.Status)
	}
	changes = append(changes, &diff.Change{Action: diff.NoOp, Key: old.Key, Provider: ProviderName, Desired: old, Live: live})
	// The wait ends once it has seen both (two polls), as a deadline would.
	e.em.Server.ResetCounts()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for e.em.Server.Counts()[routeList] < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := e.p.Wait(ctx, changes, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want it to wrap the context's end", err)
	}
	for _, want := range []string{"2 credential(s) not synced yet", "credential new-a (password, tenant): Creating", "credential old-b (password, tenant): Creating"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Wait's error lacks %q:\n%v", want, err)
		}
	}
}
