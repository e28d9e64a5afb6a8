package seqera

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// fingerprint sets the state fingerprints of an object's secrets, as the
// state package does: desired from the value, live from the last apply.
func fingerprint(o *diff.Object, fps map[string]string) {
	for p, fp := range fps {
		a := o.Secrets[p]
		a.Fingerprint = fp
		if o.Secrets == nil {
			o.Secrets = map[string]diff.SecretAttr{}
		}
		o.Secrets[p] = a
	}
}

// TestUpdateInPlace: a changed secret (seen through fingerprints), key and
// description are one in-place update, a whole-credential PUT that keeps
// the id and stores the new secret.
func TestUpdateInPlace(t *testing.T) {
	t.Parallel()
	for _, shape := range []string{emulator.SeqeraShapeCurrent, emulator.SeqeraShapeSeed} {
		t.Run(shape, func(t *testing.T) {
			t.Parallel()
			e := setup(t, emulator.Options{SeqeraShape: shape})
			src := func(desc, user string) string {
				return seqeraDoc("github-ci", "workspaceId: 1001, description: "+desc, `{provider: github, keys: {username: `+user+`, password: {fromEnv: GH_TOKEN}}}`)
			}
			old := e.desired(src("old", "octo"), map[string]string{"GH_TOKEN": "ghp-old-value"})[0]
			id := e.mustCreate(old)[0]
			live := e.snapshot()[old.Key]
			fingerprint(live, map[string]string{"spec.keys.password": "fp-old"})

			nd := e.desired(src("new", "octocat"), map[string]string{"GH_TOKEN": "ghp-new-value"})[0]
			fingerprint(nd, map[string]string{"spec.keys.password": "fp-new"})
			plan := diff.Compute([]*diff.Object{nd}, []*diff.Object{live}, manifest.NewSet(nil), diff.Options{})
			ch := plan.Changes[0]
			wantFields := []string{"metadata.description", "spec.keys.username", "spec.keys.password"}
			if ch.Action != diff.Update || len(ch.ReplacedBy) > 0 || !cmp.Equal(wantFields, ch.ChangedPaths()) {
				t.Fatalf("plan = %s replacedBy %v fields %v, want an update of %v", ch.Action, ch.ReplacedBy, ch.ChangedPaths(), wantFields)
			}
			e.em.Server.ResetCounts()
			got, err := e.step(diff.PhaseCreate, ch, nil)
			if err != nil || got != id {
				t.Fatalf("update = %q, %v; want the id %q kept", got, err, id)
			}
			if diff := cmp.Diff(map[string]int{routeUpdate: 1}, e.em.Server.Counts()); diff != "" {
				t.Errorf("requests of an update (-want +got):\n%s", diff)
			}
			if s, _ := e.em.Server.StoredSecrets(id); s["password"] != "ghp-new-value" {
				t.Errorf("the update did not store the new secret")
			}
			now := e.snapshot()[nd.Key]
			if diff := cmp.Diff(nd.Attrs, now.Attrs); diff != "" || now.ID != id {
				t.Errorf("after the update, id %s (-desired +live):\n%s", now.ID, diff)
			}
			if diff := cmp.Diff([]string{"PUT /credentials/" + id + "?workspaceId=1001"}, e.targets("PUT")); diff != "" {
				t.Errorf("PUT (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProviderChangeReplaces: the platform refuses a provider change, so
// the plan replaces the credential: delete, then create with a new id.
func TestProviderChangeReplaces(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	old := e.desired(seqeraDoc("git", "", `{provider: github, keys: {username: u, password: p1}}`), nil)[0]
	oldID := e.mustCreate(old)[0]
	live := e.snapshot()[old.Key]
	nd := e.desired(seqeraDoc("git", "", `{provider: gitlab, keys: {username: u, token: glpat-2}}`), nil)[0]
	plan := diff.Compute([]*diff.Object{nd}, []*diff.Object{live}, manifest.NewSet(nil), diff.Options{})
	ch := plan.Changes[0]
	if ch.Action != diff.Replace || !cmp.Equal([]string{"spec.provider"}, ch.ReplacedBy) {
		t.Fatalf("plan = %s replacedBy %v, want a replace forced by spec.provider", ch.Action, ch.ReplacedBy)
	}
	if _, err := e.step(diff.PhaseDelete, ch, nil); err != nil {
		t.Fatalf("replace, delete step: %v", err)
	}
	newID, err := e.step(diff.PhaseCreate, ch, nil)
	if err != nil || newID == "" || newID == oldID {
		t.Fatalf("replace, create step = %q, %v", newID, err)
	}
	now := e.snapshot()[nd.Key]
	if diff := cmp.Diff(nd.Attrs, now.Attrs); diff != "" || now.ID != newID {
		t.Errorf("after replace (-desired +live):\n%s", diff)
	}
	if s, _ := e.em.Server.StoredSecrets(newID); !cmp.Equal(map[string]string{"token": "glpat-2"}, s) {
		t.Errorf("the replacement stored %v keys", len(s))
	}
}

// TestWorkspaceIsolation: one name in the personal workspace and in two
// others is three credentials; each step touches its own, and the personal
// workspace never gets a workspaceId parameter.
func TestWorkspaceIsolation(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	spec := `{provider: container-reg, keys: {userName: robot, registry: quay.io, password: {fromEnv: PW}}}`
	var objs []*diff.Object
	for _, ws := range allWorkspaces {
		meta := ""
		if ws != "" {
			meta = "workspaceId: " + ws
		}
		objs = append(objs, e.desired(seqeraDoc("registry", meta, spec), map[string]string{"PW": "pw-" + ws})...)
	}
	ids := e.mustCreate(objs...)
	live := e.snapshot()
	for i, ws := range allWorkspaces {
		l := live[key(ws, "registry")]
		if l == nil || l.ID != ids[i] {
			t.Fatalf("workspace %q: live %v, created %s", ws, l, ids[i])
		}
		if s, _ := e.em.Server.StoredSecrets(ids[i]); s["password"] != "pw-"+ws {
			t.Errorf("workspace %q holds another workspace's secret", ws)
		}
	}
	// Update the one in 1001, delete the one in 1002, keep the personal one.
	nd := e.desired(seqeraDoc("registry", "workspaceId: 1001, description: moved", spec), map[string]string{"PW": "pw-1001"})[0]
	if _, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Update, Key: nd.Key, Desired: nd, Live: live[nd.Key]}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.remove(live[key("1002", "registry")]); err != nil {
		t.Fatal(err)
	}
	after := e.snapshot()
	if len(after) != 2 || after[key("", "registry")].ID != ids[0] || after[key("1001", "registry")].Attrs["metadata.description"] != `"moved"` {
		t.Errorf("after update and delete: %v", after)
	}
	if _, ok := after[key("", "registry")].Attrs["metadata.description"]; ok {
		t.Errorf("the personal workspace's credential changed")
	}
	var personal []string
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		for _, target := range e.targets(m) {
			if !strings.Contains(target, "workspaceId=") {
				personal = append(personal, target)
			}
		}
	}
	if diff := cmp.Diff([]string{"GET /credentials", "GET /credentials", "POST /credentials"}, personal); diff != "" {
		t.Errorf("requests without workspaceId (-want +got):\n%s", diff)
	}
}

// TestDeleteInUse: a checked delete of a credential running jobs use is
// refused, naming them; with Force it is sent unchecked and succeeds.
func TestDeleteInUse(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(seqeraDoc("github-ci", "workspaceId: 1001", `{provider: github, keys: {username: u, password: p}}`), nil)[0]
	id := e.mustCreate(d)[0]
	err := e.em.Server.MarkSeqeraInUse(id, emulator.SeqeraJob{ID: "4Bz7", Name: "nf-run-1"}, emulator.SeqeraJob{ID: "9Qx2", Name: "nf-run-2"})
	if err != nil {
		t.Fatal(err)
	}
	live := e.snapshot()[d.Key]
	err = e.remove(live)
	want := "seqera credential github-ci (workspace 1001): delete failed: used by running workflow nf-run-1 (id 4Bz7) and running workflow nf-run-2 (id 9Qx2); stop them, or rerun with --force to delete anyway"
	if err == nil || err.Error() != want {
		t.Fatalf("delete = %v\nwant     %s", err, want)
	}
	var inUse *InUseError
	var se *Error
	if !errors.As(err, &inUse) || len(inUse.Conflicts) != 2 || !rest.IsStatus(err, 409) || !errors.As(err, &se) || se.Subject() != d.Key {
		t.Errorf("the error must be an *Error about %s wrapping an *InUseError wrapping the 409: %#v", d.Key, err)
	}
	if len(e.snapshot()) != 1 {
		t.Fatal("the credential was deleted")
	}

	_, forced := e.connect(e.cfg, Options{Force: true})
	if _, err := forced.Do(t.Context(), diff.Step{Phase: diff.PhaseDelete, Change: &diff.Change{Action: diff.Delete, Key: d.Key, Live: live}}, nil); err != nil {
		t.Fatalf("forced delete: %v", err)
	}
	if len(e.snapshot()) != 0 {
		t.Error("the forced delete left the credential")
	}
	wantTargets := []string{"DELETE /credentials/" + id + "?checked=true&workspaceId=1001", "DELETE /credentials/" + id + "?checked=false&workspaceId=1001"}
	if diff := cmp.Diff(wantTargets, e.targets("DELETE")); diff != "" {
		t.Errorf("DELETE requests (-want +got):\n%s", diff)
	}
	one := (&InUseError{Conflicts: []Conflict{{Type: "workflow", ID: "a1", Name: "rnaseq"}}}).Error()
	if one != "used by running workflow rnaseq (id a1); stop it, or rerun with --force to delete anyway" {
		t.Errorf("one job: %s", one)
	}
}

// TestDeleteGoneIsSuccess: deleting twice, the second meets 404: success.
func TestDeleteGoneIsSuccess(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(seqeraDoc("ssh-key", "", `{provider: ssh, keys: {privateKey: pk}}`), nil)[0]
	e.mustCreate(d)
	live := e.snapshot()[d.Key]
	for i := range 2 {
		if err := e.remove(live); err != nil {
			t.Fatalf("delete #%d: %v", i+1, err)
		}
	}
	if got := testkit.StatusLines(e.log.Lines(), "404"); len(got) != 1 || !strings.HasPrefix(got[0], "DELETE /credentials/"+live.ID+"?checked=true ") {
		t.Errorf("want the second delete to meet 404: %q", got)
	}
}

func TestCreateConflictOnCleanAttempt(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(seqeraDoc("s3", "workspaceId: 1002", `{provider: aws, keys: {accessKey: AK, secretKey: sk-value}}`), nil)[0]
	e.mustCreate(d)
	_, err := e.create(d, nil)
	var re *rest.Error
	if !errors.As(err, &re) || re.Status != 409 {
		t.Fatalf("second create = %v, want a 409", err)
	}
	want := `seqera credential s3 (workspace 1002): create failed: 409 credentials named "s3" already exist in workspace 1002 (id `
	if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "(POST /credentials): it already exists; it was created since the plan was made: run plan again") {
		t.Errorf("error = %s", err)
	}
	if n := len(e.snapshot()); n != 1 {
		t.Errorf("%d credentials", n)
	}
}

func TestUpdateOfAGoneCredential(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(seqeraDoc("gone", "", `{provider: ssh, keys: {privateKey: pk}}`), nil)[0]
	e.mustCreate(d)
	live := e.snapshot()[d.Key]
	if err := e.remove(live); err != nil {
		t.Fatal(err)
	}
	_, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Update, Key: d.Key, Desired: d, Live: live}, nil)
	want := "seqera credential gone (personal workspace): update failed: 404 credentials " + live.ID + " not found in the personal workspace (PUT /credentials/" + live.ID + "): it was deleted since the plan was made: run plan again"
	if err == nil || err.Error() != want {
		t.Errorf("update = %v\nwant     %s", err, want)
	}
}

// TestStepsTakeOutputsOfEarlierSteps: a secret key from a service
// account's secret is sent on create and update when an earlier step
// produced it; without it nothing is sent, and the update says why.
func TestStepsTakeOutputsOfEarlierSteps(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(seqeraDoc("runai-login", "workspaceId: 1001", `{provider: gitea, keys: {username: {fromEnv: USER}, password: {fromServiceAccount: {name: ci, field: clientSecret}}}}`),
		map[string]string{"USER": "ci-user"})[0]
	sa := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	if out := d.Secrets["spec.keys.password"].Output; out == nil || *out != (diff.OutputRef{Key: sa, Field: "clientSecret"}) {
		t.Errorf("spec.keys.password takes %v, want the clientSecret of %s", out, sa)
	}

	_, err := e.create(d, testkit.Outputs{sa: {"clientId": manifest.NewSecret("ci-id")}})
	want := "seqera credential runai-login (workspace 1001): create failed: spec.keys.password takes the clientSecret of ServiceAccount ci, which no earlier step of this apply produced"
	if err == nil || err.Error() != want {
		t.Errorf("create without the secret = %v\nwant %s", err, want)
	}
	if n := e.em.Server.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent for a create with a missing output", n)
	}
	id, err := e.create(d, testkit.Outputs{sa: {"clientSecret": manifest.NewSecret("ci-secret-1")}})
	if err != nil {
		t.Fatal(err)
	}
	live := e.snapshot()[d.Key]
	ch := &diff.Change{Action: diff.Update, Key: d.Key, Desired: d, Live: live}
	_, err = e.step(diff.PhaseCreate, ch, nil)
	if err == nil || !strings.Contains(err.Error(), "Seqera's update sends every key, and the clientSecret is shown only once: change the rotation of ServiceAccount ci to make a new one") {
		t.Errorf("update without the secret = %v", err)
	}
	if _, err := e.step(diff.PhaseCreate, ch, testkit.Outputs{sa: {"clientSecret": manifest.NewSecret("ci-secret-2")}}); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.em.Server.StoredSecrets(id); s["password"] != "ci-secret-2" {
		t.Errorf("the update did not send the new secret")
	}
	testkit.NoSecretIn(t, e.log.Lines(), "ci-secret-1", "ci-secret-2")
}

func TestDoRefusesWhatItDoesNotManage(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	_, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "tenant", Name: "x"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "the seqera provider does not manage Credential") {
		t.Errorf("Do(Credential) = %v", err)
	}
	_, err = e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: key("", "x")}, nil)
	if err == nil || !strings.Contains(err.Error(), "no live object") {
		t.Errorf("delete without a live object = %v", err)
	}
	_, err = e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: key("", "x")}, nil)
	if err == nil || !strings.Contains(err.Error(), "no desired object") {
		t.Errorf("create without a desired object = %v", err)
	}
	if n := e.em.Server.TotalRequests(); n != 0 {
		t.Errorf("requests were sent: %v", e.em.Server.Counts())
	}
}
