package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// fake records the steps it is asked to do, in order, and how many ran at
// once; it fails the names in fail and blocks the names in block until
// released.
type fake struct {
	mu        sync.Mutex
	calls     []string
	inFlight  int
	maxFlight int
	fail      map[string]bool
	block     chan struct{}
	got       map[string]string // dependent name -> the value it received
	hook      func(s diff.Step) // called first in Do, when set
}

func (f *fake) Name() string { return "test" }

func (f *fake) Do(ctx context.Context, s diff.Step, in Inputs) (Result, error) {
	name := s.Change.Key.Name
	if f.hook != nil {
		f.hook(s)
	}
	f.mu.Lock()
	f.calls = append(f.calls, s.Verb()+" "+name)
	f.inFlight++
	f.maxFlight = max(f.maxFlight, f.inFlight)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inFlight--; f.mu.Unlock() }()
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
	if f.fail[name] {
		return Result{}, errors.New("boom")
	}
	res := Result{ID: "id-" + name}
	if s.Change.Desired != nil {
		for p, sec := range s.Change.Desired.Secrets {
			if sec.Output != nil {
				v, ok := in.Output(sec.Output.Key, sec.Output.Field)
				if !ok {
					return Result{}, fmt.Errorf("%s: no %s of %s", p, sec.Output.Field, sec.Output.Key)
				}
				f.mu.Lock()
				f.got[name] = v.Reveal()
				f.mu.Unlock()
			}
		}
		if s.Change.Regenerate {
			res.Outputs = map[string]manifest.Secret{"clientSecret": manifest.NewSecret("secret-of-" + name)}
		}
	}
	return res, nil
}

func newFake() *fake { return &fake{fail: map[string]bool{}, got: map[string]string{}} }

type noOwner struct{}

func (noOwner) Owner(k manifest.Key) string {
	if k.Name == "old" || k.Name == "old-account" {
		return "o"
	}
	return ""
}
func (noOwner) Ignored(manifest.Key) bool         { return false }
func (noOwner) ProtectedByRule(manifest.Key) bool { return false }
func (noOwner) HasOwnership() bool                { return true }

func obj(kind manifest.Kind, name string) *diff.Object {
	return &diff.Object{Key: manifest.Key{Kind: kind, Name: name}, Provider: "test", Attrs: map[string]string{}}
}

// testPlan: a new account, two credentials taking its secret, ten plain
// credentials, and a pruned credential and account.
func testPlan() *diff.Plan {
	acct := obj(manifest.KindServiceAccount, "ci")
	acct.Regenerates = []string{"spec.rotation"}
	desired := []*diff.Object{acct}
	for _, n := range []string{"login-a", "login-b"} {
		c := obj(manifest.KindCredential, n)
		c.Secrets = map[string]diff.SecretAttr{"spec.password": {Output: &diff.OutputRef{Key: acct.Key, Field: "clientSecret"}}}
		desired = append(desired, c)
	}
	for i := range 10 {
		desired = append(desired, obj(manifest.KindCredential, fmt.Sprintf("plain-%d", i)))
	}
	old, oldAcct := obj(manifest.KindCredential, "old"), obj(manifest.KindServiceAccount, "old-account")
	old.ID, oldAcct.ID = "1", "2"
	filler := []*diff.Object{old, oldAcct}
	for i := range 10 {
		f := obj(manifest.KindCredential, fmt.Sprintf("plain-%d", i))
		f.ID = fmt.Sprint(10 + i)
		f.Attrs = map[string]string{"metadata.description": `"old"`}
		filler = append(filler, f)
	}
	for _, d := range desired[3:] {
		d.Attrs = map[string]string{"metadata.description": `"new"`}
		d.InPlace = []string{"metadata.description"}
	}
	return diff.Compute(desired, filler, noOwner{}, diff.Options{Prune: true, AllowMassDelete: true})
}

func TestRunOrderParallelismAndOutputs(t *testing.T) {
	f := newFake()
	p := testPlan()
	var events []EventType
	var mu sync.Mutex
	obs := ObserverFunc(func(e Event) { mu.Lock(); events = append(events, e.Type); mu.Unlock() })
	rep, err := Run(context.Background(), p, []Provider{f}, Options{Parallelism: 3, Observer: obs})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %v", err, rep.Err())
	}
	// Waves: delete old credential, delete old account, create the account,
	// then the credentials (creates and updates, in any order within the wave).
	if got := f.calls[:3]; !slices.Equal(got, []string{"delete old", "delete old-account", "create ci"}) {
		t.Errorf("first steps %v", got)
	}
	if len(f.calls) != 15 {
		t.Errorf("%d calls, want 15: %v", len(f.calls), f.calls)
	}
	if f.maxFlight > 3 {
		t.Errorf("%d steps in flight at once, parallelism is 3", f.maxFlight)
	}
	want := map[string]string{"login-a": "secret-of-ci", "login-b": "secret-of-ci"}
	if diff := cmp.Diff(want, f.got); diff != "" {
		t.Errorf("outputs received (-want +got):\n%s", diff)
	}
	if len(rep.Done) != 15 || len(events) != 30 {
		t.Errorf("%d done, %d events", len(rep.Done), len(events))
	}
}

func TestRunStopsAfterAFailure(t *testing.T) {
	f := newFake()
	f.fail["ci"] = true
	rep, err := Run(context.Background(), testPlan(), []Provider{f}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Step.Change.Key.Name != "ci" {
		t.Fatalf("failed: %v", rep.Failed)
	}
	if len(rep.Done) != 2 || len(rep.NotAttempted) != 12 {
		t.Errorf("done %d (want the 2 deletes), not attempted %d (want 12)", len(rep.Done), len(rep.NotAttempted))
	}
	if msg := rep.Err().Error(); msg != "ServiceAccount ci: create failed: boom" {
		t.Errorf("error %q", msg)
	}
}

func TestRunInterrupted(t *testing.T) {
	f := newFake()
	f.block = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *Report, 1)
	go func() {
		rep, _ := Run(ctx, testPlan(), []Provider{f}, Options{Parallelism: 2})
		done <- rep
	}()
	for {
		f.mu.Lock()
		n := len(f.calls)
		f.mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	rep := <-done
	if len(rep.Failed) != 1 || !errors.Is(rep.Failed[0], context.Canceled) {
		t.Errorf("the step in flight should end with the context's error: %v", rep.Failed)
	}
	if len(rep.Done)+len(rep.Failed)+len(rep.NotAttempted) != 15 {
		t.Errorf("every step must be accounted for: %d done, %d failed, %d not attempted", len(rep.Done), len(rep.Failed), len(rep.NotAttempted))
	}
}

// TestStepsRunInParallel: independent steps run Parallelism at once, and
// no more. Every step waits until three are in flight, so a runner that
// ran them one by one would never get there.
func TestStepsRunInParallel(t *testing.T) {
	f := newFake()
	f.block = make(chan struct{})
	var desired []*diff.Object
	for i := range 6 {
		desired = append(desired, obj(manifest.KindCredential, fmt.Sprintf("c-%d", i)))
	}
	p := diff.Compute(desired, nil, noOwner{}, diff.Options{})
	reached := make(chan struct{})
	go func() {
		defer close(f.block)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			f.mu.Lock()
			n := f.inFlight
			f.mu.Unlock()
			if n >= 3 {
				close(reached)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	rep, err := Run(context.Background(), p, []Provider{f}, Options{Parallelism: 3})
	if err != nil || !rep.OK() || len(f.calls) != 6 {
		t.Fatalf("run: %v, %d calls", err, len(f.calls))
	}
	select {
	case <-reached:
	default:
		t.Fatalf("never 3 steps in flight at once (at most %d): the steps ran one by one", f.maxFlight)
	}
	if f.maxFlight != 3 {
		t.Errorf("%d steps in flight at once, parallelism is 3", f.maxFlight)
	}
}

func TestDryRunCallsNothing(t *testing.T) {
	f := newFake()
	var order []string
	var mu sync.Mutex
	obs := ObserverFunc(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Type == StepDone && e.DryRun {
			order = append(order, e.Step.Verb()+" "+e.Step.Change.Key.Name)
		}
	})
	rep, err := Run(context.Background(), testPlan(), []Provider{f}, Options{DryRun: true, Parallelism: 1, Observer: obs})
	if err != nil || !rep.OK() || len(f.calls) != 0 {
		t.Fatalf("dry run: %v, %d calls", err, len(f.calls))
	}
	if len(order) != 15 || order[0] != "delete old" || order[2] != "create ci" {
		t.Errorf("dry run should walk the real order: %v", order)
	}
}

type recorder struct {
	n    int
	fail bool
}

func (r *recorder) Record(diff.Step, Result) error {
	r.n++
	if r.fail {
		return errors.New("disk full")
	}
	return nil
}

func TestRecorder(t *testing.T) {
	rec := &recorder{}
	if rep, _ := Run(context.Background(), testPlan(), []Provider{newFake()}, Options{Recorder: rec}); !rep.OK() || rec.n != 15 {
		t.Errorf("recorded %d of 15 steps", rec.n)
	}
	rec = &recorder{fail: true}
	rep, _ := Run(context.Background(), testPlan(), []Provider{newFake()}, Options{Recorder: rec, Parallelism: 1})
	if len(rep.Failed) != 1 || len(rep.Done) != 0 {
		t.Errorf("a failing recorder must stop the apply: %d done, %v", len(rep.Done), rep.Failed)
	}
}

func TestRefusedPlanIsNotRun(t *testing.T) {
	p := testPlan()
	p.Refusals = []diff.Refusal{{Guard: "mass-delete"}}
	if _, err := Run(context.Background(), p, []Provider{newFake()}, Options{}); err == nil {
		t.Error("a plan with refusals must not run")
	}
}

type waiter struct {
	*fake
	status string
}

func (w *waiter) Wait(ctx context.Context, changes []*diff.Change, report func(manifest.Key, string, bool)) error {
	for _, c := range changes {
		report(c.Key, w.status, w.status != "No issues found")
	}
	if w.status != "No issues found" {
		return errors.New("some failed")
	}
	return nil
}

func TestWait(t *testing.T) {
	var synced int
	obs := ObserverFunc(func(e Event) {
		if e.Type == Synced {
			synced++
		}
	})
	rep, _ := Run(context.Background(), testPlan(), []Provider{&waiter{newFake(), "No issues found"}}, Options{Wait: true, Observer: obs})
	if !rep.OK() || synced != 13 {
		t.Errorf("wait: ok=%v, %d synced (want the 13 created or updated)", rep.OK(), synced)
	}
	rep, _ = Run(context.Background(), testPlan(), []Provider{&waiter{newFake(), "Failed"}}, Options{Wait: true})
	if rep.OK() || rep.WaitErr == nil {
		t.Error("a failed sync must fail the apply")
	}
}
