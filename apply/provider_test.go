package apply

import (
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestLiveAndDesired: a plan that lacks the object a step acts on, or holds
// another kind of resource, is an error that says which; a whole one gives
// its objects.
func TestLiveAndDesired(t *testing.T) {
	t.Parallel()
	sa := &manifest.ServiceAccount{}
	key := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	whole := &diff.Change{Key: key, Desired: &diff.Object{Key: key, Resource: sa}, Live: &diff.Object{Key: key, ID: "7"}}
	if live, err := Live(whole, "update"); err != nil || live.ID != "7" {
		t.Errorf("Live = %v, %v", live, err)
	}
	if d, r, err := Desired[*manifest.ServiceAccount](whole, "update"); err != nil || d != whole.Desired || r != sa {
		t.Errorf("Desired = %v, %v, %v", d, r, err)
	}
	noID := &diff.Change{Key: key, Live: &diff.Object{Key: key}}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"no live object", second(Live(&diff.Change{Key: key}, "delete")), "the plan holds no live object to delete"},
		{"live object without an id", second(Live(noID, "update")), "the plan holds no live object to update"},
		{"no desired object", third(Desired[*manifest.ServiceAccount](noID, "create")), "the plan holds no desired object to create"},
		{"another kind", third(Desired[*manifest.AccessKey](whole, "create")), "the desired object holds a *manifest.ServiceAccount, not a *manifest.AccessKey"},
	} {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %q", tt.name, tt.err, tt.want)
		}
	}
}

func second[A any](_ A, err error) error { return err }

func third[A, B any](_ A, _ B, err error) error { return err }
