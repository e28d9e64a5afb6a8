package diff

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlanIgnoresInputOrder shuffles the inputs: the plan must not change.
func TestPlanIgnoresInputOrder(t *testing.T) {
	var desired, liveObjs []*Object
	for i := range 40 {
		d := cred(fmt.Sprintf("c%02d", i), "metadata.description", fmt.Sprintf("%q", "v1"))
		desired = append(desired, d)
		if i%3 != 0 {
			l := live(cred(d.Key.Name, "metadata.description", fmt.Sprintf("%q", "v0")), fmt.Sprint(i))
			if i%4 == 0 {
				l.Attrs["spec.user"] = `"x"`
			}
			liveObjs = append(liveObjs, l)
		}
	}
	for i := range 5 {
		liveObjs = append(liveObjs, live(cred(fmt.Sprintf("old%d", i)), fmt.Sprint(100+i)))
	}
	opts := Options{Prune: true, AllowMassDelete: true}
	want := brief(Compute(desired, liveObjs, owns{}, opts))
	r := rand.New(rand.NewSource(1))
	for range 20 {
		r.Shuffle(len(desired), func(i, j int) { desired[i], desired[j] = desired[j], desired[i] })
		r.Shuffle(len(liveObjs), func(i, j int) { liveObjs[i], liveObjs[j] = liveObjs[j], liveObjs[i] })
		if diff := cmp.Diff(want, brief(Compute(desired, liveObjs, owns{}, opts))); diff != "" {
			t.Fatalf("plan depends on input order (-first +shuffled):\n%s", diff)
		}
	}
}

// TestSteps checks the waves: deletes of pruned objects bottom-up, then
// creates and updates top-down, a replace one unit (its delete, then its
// create) in the create wave of its level.
func TestSteps(t *testing.T) {
	acct := sa("ci-new")
	oldAcct := liveSA(sa("ci-old"))
	desired := []*Object{acct, needs(cred("login"), "spec.password", "clientSecret", acct.Key),
		cred("renamed-user", "spec.user", `"b"`), cred("described", "metadata.description", `"new"`)}
	liveObjs := []*Object{oldAcct, live(cred("renamed-user", "spec.user", `"a"`), "1"),
		live(cred("described", "metadata.description", `"old"`), "2"), live(cred("pruned"), "3"),
		live(cred("keep-1"), "4"), live(cred("keep-2"), "5"), live(cred("keep-3"), "6")}
	desired = append(desired, cred("keep-1"), cred("keep-2"), cred("keep-3"))
	p := Compute(desired, liveObjs, owns{}, Options{Prune: true, AllowMassDelete: true})
	var got [][]string
	for _, wave := range p.Steps() {
		var names []string
		for _, s := range wave {
			op := "delete"
			if s.Phase == PhaseCreate {
				op = s.Change.Action.String()
			}
			names = append(names, op+" "+s.Change.Key.Name)
		}
		got = append(got, names)
	}
	want := [][]string{
		{"delete pruned"},
		{"delete ci-old"},
		{"create ci-new"},
		{"update described", "create login", "delete renamed-user", "replace renamed-user"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("waves (-want +got):\n%s", diff)
	}
	var verbs []string
	for _, wave := range p.Steps() {
		for _, s := range wave {
			verbs = append(verbs, s.Verb()+" "+s.Change.Key.Name)
		}
	}
	wantVerbs := []string{"delete pruned", "delete ci-old", "create ci-new",
		"update described", "create login", "delete renamed-user", "create renamed-user"}
	if diff := cmp.Diff(wantVerbs, verbs); diff != "" {
		t.Errorf("step verbs (-want +got):\n%s", diff)
	}
	var order []string
	for _, c := range p.Actionable() {
		order = append(order, c.Action.String()+" "+c.Key.Name)
	}
	wantOrder := []string{"delete pruned", "delete ci-old", "create ci-new", "update described", "create login", "replace renamed-user"}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("change order (-want +got):\n%s", diff)
	}
	var units []string
	for _, wave := range p.Waves() {
		for _, u := range wave {
			s := ""
			for _, step := range u {
				s += step.Verb() + " "
			}
			units = append(units, s+u[0].Change.Key.Name)
		}
	}
	wantUnits := []string{"delete pruned", "delete ci-old", "create ci-new", "update described",
		"create login", "delete create renamed-user"}
	if diff := cmp.Diff(wantUnits, units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
}
