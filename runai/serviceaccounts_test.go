package runai

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

func TestDesiredServiceAccount(t *testing.T) {
	t.Parallel()
	set := testkit.Parse(t, saDoc("ci-pipeline", `{enabled: false, rotation: "2026-11", secretFile: out/ci.json}`)+
		"lifecycle: {protect: true}\n"+saDoc("ci-nightly", ""))
	objs, diags := NewProviderScoped(nil, allScope).Desired(set, testkit.Resolver(nil))
	if len(diags) > 0 || len(objs) != 2 {
		t.Fatalf("Desired = %v, %v", objs, diags)
	}
	want := []diff.Object{
		{
			Key:         manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci-pipeline"},
			Provider:    "runai",
			Attrs:       map[string]string{"spec.enabled": "false", "spec.rotation": `"2026-11"`},
			InPlace:     []string{"spec.enabled", "spec.rotation"},
			Regenerates: []string{"spec.rotation"},
			Protected:   true,
		},
		{
			Key:         manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci-nightly"},
			Provider:    "runai",
			Attrs:       map[string]string{"spec.enabled": "true"},
			InPlace:     []string{"spec.enabled", "spec.rotation"},
			Regenerates: []string{"spec.rotation"},
		},
	}
	for i, o := range objs {
		got := *o
		got.Settings = nil // checked below
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("Desired[%d] (-want +got):\n%s", i, diff)
		}
		if file, want := o.Settings["spec.secretFile"], []string{"out/ci.json", ""}[i]; file != want {
			t.Errorf("Desired[%d]: setting spec.secretFile = %q, want %q", i, file, want)
		}
	}
	// Out of scope, a family is not planned.
	if objs, _ := NewProviderScoped(nil, Scope{Credentials: true, AccessKeys: true}).Desired(set, testkit.Resolver(nil)); len(objs) != 0 {
		t.Errorf("Desired without ServiceAccounts in scope = %d objects", len(objs))
	}
}

// TestServiceAccountRoundTrip: the live object of a service account an
// apply made has the Attrs of the desired one (with the marker the state
// overlays), so the next plan is empty.
func TestServiceAccountRoundTrip(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	specs := map[string]struct{ spec, marker string }{
		"sa-default":            {"", ""},
		"sa-enabled":            {"{enabled: true}", ""},
		"sa-disabled":           {"{enabled: false}", ""},
		"sa-rotated":            {`{rotation: "2026-11"}`, "2026-11"},
		"sa-disabled-rotated":   {`{enabled: false, rotation: 'q4 "late"'}`, `q4 "late"`},
		"sa-enabled-rotated-id": {"{enabled: true, rotation: r1}", "r1"},
	}
	for name, s := range specs {
		d := e.one(saDoc(name, s.spec))
		res := e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
		clientID, _ := secrets(t, res)
		live := e.snapshot()[d.Key]
		if live == nil {
			t.Fatalf("%s: not in the snapshot", name)
		}
		if _, ok := live.Attrs[attrRotation]; ok {
			t.Errorf("%s: a live object carries spec.rotation: only the state knows it", name)
		}
		if diff := cmp.Diff(d.Attrs, overlay(live, s.marker).Attrs); diff != "" {
			t.Errorf("%s: Attrs (-desired +live):\n%s", name, diff)
		}
		if live.ID != res.ID || live.Provider != ProviderName || live.Outputs[manifest.FieldClientID].Reveal() != clientID {
			t.Errorf("%s: live ID %q provider %q clientId %v; created %q", name, live.ID, live.Provider, live.Outputs, res.ID)
		}
		if _, ok := live.Outputs[manifest.FieldClientSecret]; ok {
			t.Errorf("%s: a live object shows a client secret", name)
		}
		p := diff.Compute([]*diff.Object{d}, []*diff.Object{live}, &manifest.Set{}, diff.Options{})
		if p.HasChanges() {
			t.Errorf("%s: the plan after the create is not empty: %+v", name, p.Changes[0])
		}
	}
}

// TestServiceAccountLifecycle: create, log in with the delivered secret,
// rotate (the old secret stops working, the client id stays), disable and
// enable, delete twice.
func TestServiceAccountLifecycle(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	d := e.one(saDoc("ci-pipeline", `{rotation: "2026-10"}`))
	plan := diff.Compute([]*diff.Object{d}, nil, &manifest.Set{}, diff.Options{})
	res := e.mustDo(diff.PhaseCreate, plan.Changes[0])
	clientID, first := secrets(t, res)
	if e.count(routeSACreate) != 1 || e.count(routeSAPatch) != 0 {
		t.Errorf("create sent %v", e.em.Server.Counts())
	}
	e.wantLogin("the created secret", clientID, first, 200)

	// Rotate: the plan regenerates; the old secret fails, the new one works.
	d2 := e.one(saDoc("ci-pipeline", `{rotation: "2026-11"}`))
	ch := e.plan(d2, "2026-10")
	if ch.Action != diff.Update || !ch.Regenerate {
		t.Fatalf("rotation planned %s (regenerate %v), want an update that regenerates", ch.Action, ch.Regenerate)
	}
	res2 := e.mustDo(diff.PhaseCreate, ch)
	clientID2, second := secrets(t, res2)
	if clientID2 != clientID || res2.ID != res.ID || second == first {
		t.Errorf("rotation: client id %q -> %q, id %q -> %q, secret changed %v", clientID, clientID2, res.ID, res2.ID, second != first)
	}
	e.wantLogin("the old secret", clientID, first, 401)
	e.wantLogin("the new secret", clientID, second, 200)
	if e.count(routeSASecret) != 1 || e.count(routeSAPatch) != 0 {
		t.Errorf("rotation sent %v", e.em.Server.Counts())
	}

	// Disable, then enable: a PATCH each, no regeneration, no outputs.
	for _, step := range []struct {
		spec  string
		login int
	}{{`{enabled: false, rotation: "2026-11"}`, 401}, {`{enabled: true, rotation: "2026-11"}`, 200}} {
		d := e.one(saDoc("ci-pipeline", step.spec))
		ch := e.plan(d, "2026-11")
		if ch.Action != diff.Update || ch.Regenerate {
			t.Fatalf("%s planned %s (regenerate %v)", step.spec, ch.Action, ch.Regenerate)
		}
		res := e.mustDo(diff.PhaseCreate, ch)
		if res.ID != ch.ID || len(res.Outputs) != 0 {
			t.Errorf("%s: result %q %v", step.spec, res.ID, res.Outputs)
		}
		e.wantLogin(step.spec, clientID, second, step.login)
		if got := e.snapshot()[d.Key].Attrs[attrEnabled]; got != d.Attrs[attrEnabled] {
			t.Errorf("%s: live enabled %s", step.spec, got)
		}
	}
	if e.count(routeSAPatch) != 2 || e.count(routeSASecret) != 1 {
		t.Errorf("enable and disable sent %v", e.em.Server.Counts())
	}

	// Delete twice: the second finds it gone (404), which is success.
	live := e.snapshot()[d.Key]
	for range 2 {
		e.mustDo(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: live.Key, ID: live.ID, Live: live})
	}
	if got := e.lastStatus("DELETE /api/v1/service-accounts/" + live.ID); got != "404" {
		t.Errorf("the second delete answered %s", got)
	}
	if e.count(routeSADelete) != 2 || len(e.snapshot()) != 0 {
		t.Errorf("after deleting: %v, %d live", e.em.Server.Counts(), len(e.snapshot()))
	}
	e.wantLogin("a deleted account", clientID, second, 401)
}

// TestServiceAccountCreateDisabled: a manifest with enabled: false creates
// the account and disables it before the step ends; the secret is still
// delivered, for when it is enabled.
func TestServiceAccountCreateDisabled(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	d := e.one(saDoc("ci-paused", `{enabled: false}`))
	res := e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
	clientID, secret := secrets(t, res)
	if e.count(routeSACreate) != 1 || e.count(routeSAPatch) != 1 {
		t.Errorf("sent %v", e.em.Server.Counts())
	}
	e.wantLogin("a disabled account", clientID, secret, 401)
	if diff := cmp.Diff(d.Attrs, e.snapshot()[d.Key].Attrs); diff != "" {
		t.Errorf("Attrs (-desired +live):\n%s", diff)
	}
}

// TestServiceAccountCreateConflict: a 409 on a first attempt is someone
// else's account: an error naming it, saying what to do, nothing changed.
func TestServiceAccountCreateConflict(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	d := e.one(saDoc("ci-pipeline", ""))
	res := e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
	clientID, secret := secrets(t, res)
	_, err := e.do(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
	var re *Error
	if !errors.As(err, &re) || re.Subject() != d.Key {
		t.Fatalf("second create = %v, want an *Error about %s", err, d.Key)
	}
	msg := err.Error()
	for _, want := range []string{"service account ci-pipeline: create failed: 409", "already exists", "run plan again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if e.count(routeSASecret) != 0 || len(e.snapshot()) != 1 {
		t.Errorf("a conflict changed something: %v", e.em.Server.Counts())
	}
	e.wantLogin("the first secret after the conflict", clientID, secret, 200)
	testkit.NoSecretIn(t, append(e.log.Lines(), msg), secret)
}

// TestServiceAccountGone: rotating or disabling an account deleted since
// the plan was made fails with what to do.
func TestServiceAccountGone(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	d := e.one(saDoc("ci-pipeline", `{rotation: r1}`))
	e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
	live := e.snapshot()[d.Key]
	e.mustDo(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: d.Key, Live: live})
	for _, spec := range []string{`{rotation: r2}`, `{enabled: false, rotation: r1}`} {
		ch := diff.Compute([]*diff.Object{e.one(saDoc("ci-pipeline", spec))}, []*diff.Object{overlay(live, "r1")}, &manifest.Set{}, diff.Options{}).Changes[0]
		_, err := e.do(diff.PhaseCreate, ch)
		if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "run plan again") {
			t.Errorf("%s on a deleted account = %v", spec, err)
		}
	}
}
