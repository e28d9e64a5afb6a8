package seqera

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/internal/testkit"
)

// TestRetriesUnderFaults: 503s without effect, and lost replies (the
// change is made, then answered 503). A create whose reply was lost meets
// 409 on its retry and is adopted, never duplicated: the ids Do returns are
// the live ones. Updates and deletes converge too.
func TestRetriesUnderFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts emulator.Options
		want string // a status the log must show
	}{
		{"fail-rate", emulator.Options{FailRate: 0.5, Seed: 7}, "503"},
		{"lost replies", emulator.Options{LostRate: 0.5, Seed: 11}, "409"},
		{"lost replies, seed shape", emulator.Options{LostRate: 0.5, Seed: 5, SeqeraShape: emulator.SeqeraShapeSeed}, "409"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tt.opts)
			var src strings.Builder
			for i := range 20 {
				meta := ""
				if ws := allWorkspaces[i%len(allWorkspaces)]; ws != "" {
					meta = "workspaceId: " + ws
				}
				src.WriteString(seqeraDoc(fmt.Sprintf("c%02d", i), meta, `{provider: bitbucket, keys: {username: u, password: bb-secret-value}}`))
			}
			objs := e.desired(src.String(), nil)
			_, live := testkit.CreateAndRead(t, e.p, objs)
			if len(testkit.StatusLines(e.log.Lines(), tt.want)) == 0 {
				t.Errorf("the log shows no %s: the fault was not exercised", tt.want)
			}
			// Deletes whose reply is lost meet 404 on their retry: success.
			testkit.DeleteAll(t, e.p, live)
			testkit.NoSecretIn(t, e.log.Lines(), "bb-secret-value", e.em.SeqeraToken)
		})
	}
}

// TestLostCreateOfAnotherIsNotAdopted: when the reply of a create is lost
// and the name is then taken by a credential that differs from the
// manifest, the create fails and says so rather than adopting it.
func TestLostCreateOfAnotherIsNotAdopted(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	theirs := e.desired(seqeraDoc("shared", "workspaceId: 1001", `{provider: github, keys: {username: someone-else, password: p}}`), nil)[0]
	e.mustCreate(theirs)
	ours := e.desired(seqeraDoc("shared", "workspaceId: 1001", `{provider: github, keys: {username: us, password: p}}`), nil)[0]
	// The 409 a retried create meets when its first try's reply was lost.
	lost := &rest.Error{Method: "POST", Path: "/credentials", Status: http.StatusConflict, Message: "already exists", MaybeApplied: true}
	adopt := func(d *diff.Object) (string, error) {
		return rest.AdoptLostCreate(t.Context(), d.Key, d.Attrs, lost, "Seqera", e.p.readBack(d))
	}
	_, err := adopt(ours)
	if err == nil || !strings.Contains(err.Error(), "seqera credential shared (workspace 1001): create failed: 409 already exists") || !strings.Contains(err.Error(), ": the reply to the create was lost, and what is there under that name differs from the manifest (someone else made it?): run plan again") {
		t.Errorf("adopt = %v", err)
	}
	missing := e.desired(seqeraDoc("missing", "", `{provider: github, keys: {username: us, password: p}}`), nil)[0]
	if _, err := adopt(missing); err == nil || !strings.Contains(err.Error(), "nothing of that name can be read back") {
		t.Errorf("adopt of a missing one = %v", err)
	}
	if id, err := adopt(theirs); err != nil || id == "" {
		t.Errorf("adopt of an equal one = %v, %v", id, err)
	}
}

// Against a platform that answers without keys, a lost create is adopted on
// what can be read: its name and provider (and description, category, base
// URL); one of another provider is refused.
func TestLostCreateWithoutKeysMatchesNameAndProvider(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{SeqeraNoKeys: true})
	made := e.desired(seqeraDoc("shared", "workspaceId: 1001", `{provider: github, keys: {username: us, password: p}}`), nil)[0]
	id := e.mustCreate(made)[0]
	lost := &rest.Error{Method: "POST", Path: "/credentials", Status: http.StatusConflict, Message: "already exists", MaybeApplied: true}
	adopt := func(d *diff.Object) (string, error) {
		return rest.AdoptLostCreate(t.Context(), d.Key, d.Attrs, lost, "Seqera", e.p.readBack(d))
	}
	if got, err := adopt(made); err != nil || got != id {
		t.Errorf("adopt of our own create = %v, %v; want %s", got, err, id)
	}
	other := e.desired(seqeraDoc("shared", "workspaceId: 1001", `{provider: gitlab, keys: {username: us, password: p, token: t}}`), nil)[0]
	if _, err := adopt(other); err == nil || !strings.Contains(err.Error(), "differs from the manifest") {
		t.Errorf("adopt of another provider's credential = %v", err)
	}
}
