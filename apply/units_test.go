package apply

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// replacePlan: n credentials whose user changed (replaces, r-0 …), one
// whose description changed (an update, "u"), and a pruned one ("old").
func replacePlan(n int) *diff.Plan {
	var desired, live []*diff.Object
	for i := range n {
		d := obj(manifest.KindCredential, fmt.Sprintf("r-%d", i))
		d.Attrs = map[string]string{"spec.user": `"new"`}
		l := obj(manifest.KindCredential, d.Key.Name)
		l.ID, l.Attrs = fmt.Sprint(i+1), map[string]string{"spec.user": `"old"`}
		desired, live = append(desired, d), append(live, l)
	}
	u := obj(manifest.KindCredential, "u")
	u.Attrs, u.InPlace = map[string]string{"metadata.description": `"new"`}, []string{"metadata.description"}
	lu := obj(manifest.KindCredential, "u")
	lu.ID, lu.Attrs, lu.InPlace = "100", map[string]string{"metadata.description": `"old"`}, u.InPlace
	old := obj(manifest.KindCredential, "old")
	old.ID = "101"
	desired = append(desired, u)
	live = append(live, lu, old)
	return diff.Compute(desired, live, noOwner{}, diff.Options{Prune: true, AllowMassDelete: true})
}

// deletedNotCreated lists the replaces whose delete ran and whose create
// did not.
func deletedNotCreated(calls []string) []string {
	var out []string
	for _, c := range calls {
		var name string
		if _, err := fmt.Sscanf(c, "delete %s", &name); err == nil && name != "old" && !slices.Contains(calls, "create "+name) {
			out = append(out, name)
		}
	}
	return out
}

// TestFailedDeleteStartsNoReplace: a pruned object whose delete fails (412,
// in use) stops the apply before any replace starts, so no replaced object
// is left deleted.
func TestFailedDeleteStartsNoReplace(t *testing.T) {
	f := newFake()
	f.fail["old"] = true
	rep, err := Run(context.Background(), replacePlan(3), []Provider{f}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"delete old"}, f.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if len(rep.NotAttempted) != 7 { // three replaces of two steps, one update
		t.Errorf("%d steps not attempted, want 7", len(rep.NotAttempted))
	}
}

// TestStartedReplaceFinishesAfterAFailure: a replace whose delete is in
// flight when another unit of its wave fails still creates its object;
// units not yet started stay so.
func TestStartedReplaceFinishesAfterAFailure(t *testing.T) {
	f := newFake()
	f.fail["u"] = true
	uFailed := make(chan struct{})
	f.hook = func(s diff.Step) {
		switch {
		case s.Change.Key.Name == "r-0" && s.Phase == diff.PhaseDelete:
			<-uFailed // the update fails while this delete is in flight
		case s.Change.Key.Name == "u":
			defer close(uFailed)
		}
	}
	// The create wave holds r-0 and u: with parallelism 2 both start.
	p := replacePlan(1)
	rep, err := Run(context.Background(), p, []Provider{f}, Options{Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Step.Change.Key.Name != "u" {
		t.Fatalf("failed = %v, want the update of u", rep.Failed)
	}
	if got := deletedNotCreated(f.calls); len(got) > 0 {
		t.Errorf("replaced objects left deleted and not created again: %v (calls %v)", got, f.calls)
	}
	if !slices.Contains(f.calls, "create r-0") {
		t.Errorf("the started replace did not create its object: %v", f.calls)
	}
}

// TestStopLetsStartedReplacesFinish: closing Options.Stop (a first Ctrl-C)
// starts no new unit, lets every started replace reach its create, and
// reports the apply as interrupted.
func TestStopLetsStartedReplacesFinish(t *testing.T) {
	f := newFake()
	stop := make(chan struct{})
	started := make(chan struct{}, 100)
	release := make(chan struct{})
	f.hook = func(s diff.Step) {
		if s.Phase == diff.PhaseDelete && s.Change.Action == diff.Replace {
			started <- struct{}{}
			<-release
		}
	}
	done := make(chan *Report, 1)
	go func() {
		rep, _ := Run(context.Background(), replacePlan(10), []Provider{f}, Options{Parallelism: 3, Stop: stop})
		done <- rep
	}()
	for range 3 {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Fatal("three replaces never started")
		}
	}
	close(stop)
	close(release)
	rep := <-done
	if !rep.Interrupted {
		t.Error("the report does not say the apply was interrupted")
	}
	if got := deletedNotCreated(f.calls); len(got) > 0 {
		t.Errorf("replaced objects left deleted: %v", got)
	}
	creates := 0
	for _, c := range f.calls {
		if len(c) > 7 && c[:7] == "create " {
			creates++
		}
	}
	if creates != 3 {
		t.Errorf("%d creates, want the 3 of the started replaces: %v", creates, f.calls)
	}
	if n := len(rep.Done) + len(rep.NotAttempted); n != 1+2*10+1 || len(rep.Failed) != 0 {
		t.Errorf("%d done + not attempted, %d failed; want all 22 steps accounted for, none failed", n, len(rep.Failed))
	}
}
