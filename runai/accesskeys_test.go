package runai

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

func TestDesiredAccessKey(t *testing.T) {
	t.Parallel()
	set := testkit.Parse(t, akDoc("platform-bot", `{rotation: "2026-q4", secretFile: out/bot.json}`)+akDoc("plain", ""))
	objs, diags := NewProviderScoped(nil, Scope{AccessKeys: true}).Desired(set, testkit.Resolver(nil))
	if len(diags) > 0 || len(objs) != 2 {
		t.Fatalf("Desired = %v, %v", objs, diags)
	}
	want := []diff.Object{
		{
			Key:         manifest.Key{Kind: manifest.KindAccessKey, Name: "platform-bot"},
			Provider:    "runai",
			Attrs:       map[string]string{"spec.rotation": `"2026-q4"`},
			InPlace:     []string{"spec.rotation"},
			Regenerates: []string{"spec.rotation"},
		},
		{
			Key:         manifest.Key{Kind: manifest.KindAccessKey, Name: "plain"},
			Provider:    "runai",
			InPlace:     []string{"spec.rotation"},
			Regenerates: []string{"spec.rotation"},
		},
	}
	for i, o := range objs {
		got := *o
		got.Settings = nil // checked below
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("Desired[%d] (-want +got):\n%s", i, diff)
		}
		if file, want := o.Settings["spec.secretFile"], []string{"out/bot.json", ""}[i]; file != want {
			t.Errorf("Desired[%d]: setting spec.secretFile = %q, want %q", i, file, want)
		}
	}
}

// TestAccessKeyLifecycle: create with and without a marker (round trip),
// log in as the key, rotate (old secret 401, new 200, same client id),
// delete twice.
func TestAccessKeyLifecycle(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	for _, s := range []struct{ name, spec, marker string }{{"plain", "", ""}, {"platform-bot", `{rotation: "2026-q3"}`, "2026-q3"}} {
		d := e.one(akDoc(s.name, s.spec))
		res := e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
		clientID, secret := secrets(t, res)
		e.wantLogin(s.name, clientID, secret, 200)
		live := e.snapshot()[d.Key]
		if live == nil || live.ID != res.ID || live.Outputs[manifest.FieldClientID].Reveal() != clientID || len(live.Attrs) != 0 {
			t.Fatalf("%s: live object %+v", s.name, live)
		}
		if diff := cmp.Diff(d.Attrs, overlay(live, s.marker).Attrs); diff != "" {
			t.Errorf("%s: Attrs (-desired +live):\n%s", s.name, diff)
		}
		if p := diff.Compute([]*diff.Object{d}, []*diff.Object{live}, &manifest.Set{}, diff.Options{}); p.HasChanges() {
			t.Errorf("%s: the plan after the create is not empty", s.name)
		}
	}

	d := e.one(akDoc("platform-bot", `{rotation: "2026-q4"}`))
	before := e.snapshot()[d.Key]
	clientID := before.Outputs[manifest.FieldClientID].Reveal()
	ch := e.plan(d, "2026-q3")
	if ch.Action != diff.Update || !ch.Regenerate {
		t.Fatalf("rotation planned %s (regenerate %v)", ch.Action, ch.Regenerate)
	}
	res := e.mustDo(diff.PhaseCreate, ch)
	gotID, secret := secrets(t, res)
	if gotID != clientID || res.ID != before.ID {
		t.Errorf("rotation changed the client id or id: %q -> %q, %q -> %q", clientID, gotID, before.ID, res.ID)
	}
	e.wantLogin("the rotated key", clientID, secret, 200)
	if e.count(routeAKCreate) != 2 || e.count(routeAKSecret) != 1 {
		t.Errorf("sent %v", e.em.Server.Counts())
	}

	for range 2 {
		e.mustDo(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: before.Key, ID: before.ID, Live: before})
	}
	if e.count(routeAKDelete) != 2 || e.count(routeAdminDelete) != 0 || e.lastStatus("DELETE /api/v1/access-keys/"+before.ID) != "404" {
		t.Errorf("deletes: %v", e.em.Server.Counts())
	}
	e.wantLogin("a deleted key", clientID, secret, 401)
}

// TestAccessKeyOldSecretFails: after a rotation the previous secret no
// longer logs in.
func TestAccessKeyOldSecretFails(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	d := e.one(akDoc("platform-bot", `{rotation: a}`))
	clientID, old := secrets(t, e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true}))
	_, fresh := secrets(t, e.mustDo(diff.PhaseCreate, e.plan(e.one(akDoc("platform-bot", `{rotation: b}`)), "a")))
	e.wantLogin("the old secret", clientID, old, 401)
	e.wantLogin("the new secret", clientID, fresh, 200)
}

// TestForeignAccessKeys: the caller's keys are plain AccessKey objects;
// other users' come only with ForeignAccessKeys, with scope "user" and
// their owner as scope id, never matching a manifest. An Ownership of
// their names makes --prune delete them, through the administration API.
func TestForeignAccessKeys(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	own := e.one(akDoc("platform-bot", ""))
	e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: own.Key, Desired: own, Regenerate: true})
	em := e.em.Server
	aliceID, aliceClient, aliceSecret, err := em.CreateForeignAccessKey("platform-bot", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := em.CreateForeignAccessKey("notebook", "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	e.wantLogin("alice's key", aliceClient, aliceSecret, 200)

	keys := func(p *Provider) map[manifest.Key]*diff.Object {
		objs, err := p.Snapshot(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		m := map[manifest.Key]*diff.Object{}
		for _, o := range objs {
			m[o.Key] = o
		}
		return m
	}
	alice := manifest.Key{Kind: manifest.KindAccessKey, Scope: ScopeUser, ScopeID: "alice@example.com", Name: "platform-bot"}
	bob := manifest.Key{Kind: manifest.KindAccessKey, Scope: ScopeUser, ScopeID: "bob@example.com", Name: "notebook"}

	mine := keys(e.scoped(Scope{AccessKeys: true}))
	if len(mine) != 1 || mine[own.Key] == nil {
		t.Errorf("the caller's keys: %v", mine)
	}
	all := keys(e.scoped(Scope{AccessKeys: true, ForeignAccessKeys: true}))
	if len(all) != 3 || all[own.Key] == nil || all[alice] == nil || all[bob] == nil {
		t.Fatalf("every key: %v", all)
	}
	a := all[alice]
	if a.ID != aliceID || len(a.UsedBy) != 0 || len(a.Attrs) != 0 || len(a.Outputs) != 0 {
		t.Errorf("alice's key: %+v", a)
	}
	if want := "last login 2026-03-01T12:01:00Z"; a.Status != want {
		t.Errorf("alice's key: Status %q, want %q", a.Status, want)
	}
	if want := "never logged in"; all[bob].Status != want {
		t.Errorf("bob's key: Status %q, want %q", all[bob].Status, want)
	}
	if got := subject(alice); got != "access key platform-bot (user alice@example.com)" {
		t.Errorf("subject = %q", got)
	}

	// The manifests own platform-*: drift (prune semantics) deletes alice's
	// key, not bob's, and keeps the caller's.
	set := testkit.Parse(t, akDoc("platform-bot", "")+`---
apiVersion: runai-sync/v1
kind: Ownership
metadata: {name: keys}
spec: {accessKeys: {names: ["platform-*"]}}
`)
	if got := ScopeOf(set); got != (Scope{AccessKeys: true, ForeignAccessKeys: true}) {
		t.Errorf("ScopeOf = %+v", got)
	}
	p := NewProviderScoped(e.c, ScopeOf(set))
	desired, _ := p.Desired(set, testkit.Resolver(nil))
	live, err := p.Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	plan := diff.Compute(desired, live, set, diff.Options{Prune: true})
	var deletes []manifest.Key
	for _, c := range plan.Actionable() {
		if c.Action != diff.Delete {
			t.Errorf("unexpected %s %s", c.Action, c.Key)
			continue
		}
		deletes = append(deletes, c.Key)
		e.mustDo(diff.PhaseDelete, c)
	}
	if diff := cmp.Diff([]manifest.Key{alice}, deletes); diff != "" {
		t.Errorf("deletes (-want +got):\n%s", diff)
	}
	if e.count(routeAdminDelete) != 1 || e.count(routeAKDelete) != 0 {
		t.Errorf("deletes sent %v", em.Counts())
	}
	e.wantLogin("alice's deleted key", aliceClient, aliceSecret, 401)
	after := keys(e.scoped(Scope{AccessKeys: true, ForeignAccessKeys: true}))
	if after[alice] != nil || after[bob] == nil || after[own.Key] == nil {
		t.Errorf("after the prune: %v", after)
	}
	// Deleting it again finds it gone: success.
	e.mustDo(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: alice, ID: aliceID, Live: a})
	if got := e.lastStatus("DELETE /api/v1/administration/access-keys/" + aliceID); got != "404" {
		t.Errorf("the second delete answered %s", got)
	}
	// Another user's key is never created or rotated.
	_, err = e.do(diff.PhaseCreate, &diff.Change{Action: diff.Update, Key: alice, Live: a, Desired: own, Regenerate: true})
	if err == nil || !strings.Contains(err.Error(), "can only be deleted") {
		t.Errorf("rotating another user's key = %v", err)
	}
}

func TestAccessKeyCreateConflict(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	d := e.one(akDoc("platform-bot", ""))
	e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
	_, err := e.do(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
	var re *Error
	if !errors.As(err, &re) || re.Subject() != d.Key || !strings.HasPrefix(err.Error(), "access key platform-bot: create failed: 409") ||
		!strings.Contains(err.Error(), "run plan again") {
		t.Errorf("second create = %v", err)
	}
	if e.count(routeAKSecret) != 0 {
		t.Errorf("a conflict regenerated a secret")
	}
}
