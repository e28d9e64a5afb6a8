package diff

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

// TestSavedStaleAndRestrict: a saved plan is stale when an object it
// touches changed live, left the plan, or would now get another action;
// one still current is restricted to its own changes, every other object
// kept as a no-op with its live object (whose outputs later steps take).
func TestSavedStaleAndRestrict(t *testing.T) {
	t.Parallel()
	sum := func(s manifest.Secret) string { return "fp-" + s.Reveal() }
	a, b, c := cred("a", "metadata.description", "one"), cred("b", "metadata.description", "two"), cred("c", "metadata.description", "three")
	bot := sa("ci-bot")
	liveBot := liveSA(bot)
	lives := []*Object{live(a, "id-a"), live(b, "id-b"), liveBot}
	plan := func(da, db, dc *Object) *Plan {
		return Compute([]*Object{da, db, dc, bot}, lives, owns{}, Options{Prune: true})
	}
	// Made: a updated, b unchanged, c created.
	reviewed := plan(cred("a", "metadata.description", "new"), b, c)
	saved := Save(reviewed, nil, Options{Prune: true}, "m", "k", sum, time.Unix(0, 0))
	if got := savedKeys(saved.Changes); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("saved changes %v, want a and c", got)
	}

	// Since then b drifted: not in the saved plan, so no reason to refuse,
	// and Restrict keeps it as a no-op that changes nothing.
	now := plan(cred("a", "metadata.description", "new"), cred("b", "metadata.description", "drifted"), c)
	if why := saved.Stale(now, sum); len(why) != 0 {
		t.Fatalf("Stale = %q, want none", why)
	}
	restricted := saved.Restrict(now)
	if got := changeKeys(restricted.Actionable()); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("restricted plan acts on %v, want a and c only", got)
	}
	byKey := map[string]*Change{}
	for _, ch := range restricted.Changes {
		byKey[ch.Key.Name] = ch
	}
	if ch := byKey["b"]; ch == nil || ch.Action != NoOp || ch.Live == nil || ch.Live.ID != "id-b" {
		t.Errorf("b in the restricted plan = %+v, want a no-op with its live object", ch)
	}
	if ch := byKey["ci-bot"]; ch == nil || ch.Live != liveBot {
		t.Errorf("the service account left the restricted plan: its client id would not reach later steps")
	}

	// Stale: a's live object changed; c now exists, so it would be an update.
	editedA := live(a, "id-a")
	editedA.Attrs = map[string]string{"metadata.description": "by hand"}
	now = Compute([]*Object{cred("a", "metadata.description", "new"), b, cred("c", "metadata.description", "changed"), bot},
		[]*Object{editedA, live(b, "id-b"), live(c, "id-c"), liveBot}, owns{}, Options{Prune: true})
	want := []string{
		"Credential password a (project 12) changed since the plan was made",
		"Credential password c (project 12) changed since the plan was made",
	}
	if diff := cmp.Diff(want, saved.Stale(now, sum)); diff != "" {
		t.Errorf("Stale (-want +got):\n%s", diff)
	}
	// Same live objects, but a is now wanted as it is: no longer an update.
	now = plan(a, b, c)
	if diff := cmp.Diff([]string{"Credential password a (project 12) would now be a no-op, not an update"}, saved.Stale(now, sum)); diff != "" {
		t.Errorf("Stale (-want +got):\n%s", diff)
	}
}

func savedKeys(cs []SavedChange) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key.Name)
	}
	return out
}

func changeKeys(cs []*Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key.Name)
	}
	return out
}
