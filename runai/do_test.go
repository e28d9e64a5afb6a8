package runai

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// step runs one step of a change.
func (e *env) step(phase diff.Phase, ch *diff.Change) (string, error) {
	res, err := e.p.Do(context.Background(), diff.Step{Phase: phase, Level: 1, Change: ch}, nil)
	return res.ID, err
}

// lastStatus is the status of the last log line of method path.
func (e *env) lastStatus(prefix string) string {
	lines := e.log.Lines()
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			rest := strings.TrimPrefix(lines[i], prefix)
			if _, after, ok := strings.Cut(rest, " -> "); ok {
				s, _, _ := strings.Cut(after, " ")
				return s
			}
		}
	}
	return "none"
}

func TestCreateUpdateDeleteEachType(t *testing.T) {
	t.Parallel()
	specs := []struct {
		typ, path, spec, deleteStatus string
	}{
		{"accessKey", "access-key", `{type: accessKey, accessKeyId: AK, secretAccessKey: sak}`, "202"},
		{"password", "password", `{type: password, user: u, password: pw}`, "202"},
		{"dockerRegistry", "docker-registry", `{type: dockerRegistry, user: u, password: pw, url: "https://r.example"}`, "202"},
		{"genericSecret", "generic-secret", `{type: genericSecret, keyValuePairs: {K: v}}`, "204"},
		{"ngcApiKey", "ngc-api-key", `{type: ngcApiKey, ngc_api_key: nvapi-1}`, "204"},
	}
	for _, s := range specs {
		t.Run(s.typ, func(t *testing.T) {
			t.Parallel()
			e := setup(t, emulator.Options{})
			d := e.desired(credentialDoc("c1", "scope: project, projectId: 12", s.spec), nil)[0]
			id, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
			if err != nil || id == "" {
				t.Fatalf("create = %q, %v", id, err)
			}
			collection := "/api/v1/asset/credentials/" + s.path
			if got := e.lastStatus("POST " + collection); got != "202" {
				t.Errorf("create answered %s", got)
			}
			live := e.snapshot()[d.Key]

			// Update: set, then clear the description.
			for _, desc := range []string{"now described", ""} {
				meta := "scope: project, projectId: 12"
				if desc != "" {
					meta += ", description: " + desc
				}
				nd := e.desired(credentialDoc("c1", meta, s.spec), nil)[0]
				got, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Update, Key: d.Key, ID: live.ID, Desired: nd, Live: live})
				if err != nil || got != live.ID {
					t.Fatalf("update to %q = %q, %v", desc, got, err)
				}
				if got := e.lastStatus("PUT " + collection + "/" + id); got != "202" {
					t.Errorf("update answered %s", got)
				}
				now := e.snapshot()[d.Key]
				if diff := cmp.Diff(nd.Attrs, now.Attrs); diff != "" {
					t.Errorf("after update to %q (-desired +live):\n%s", desc, diff)
				}
			}

			// Delete, then delete again: the second finds it gone (404), which is success.
			for i := range 2 {
				if _, err := e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: d.Key, ID: live.ID, Live: live}); err != nil {
					t.Fatalf("delete #%d: %v", i+1, err)
				}
			}
			if got := e.lastStatus("DELETE " + collection + "/" + id); got != "404" {
				t.Errorf("the second delete answered %s, want 404", got)
			}
			counts := e.em.Server.Counts()
			want := map[string]int{
				"POST " + collection:                  1,
				"PUT " + collection + "/{AssetId}":    2,
				"DELETE " + collection + "/{AssetId}": 2,
			}
			for route, n := range want {
				if counts[route] != n {
					t.Errorf("%s: %d calls, want %d", route, counts[route], n)
				}
			}
			if len(e.snapshot()) != 0 {
				t.Errorf("the credential is still there")
			}
			// The first delete answered what the spec lists for the type.
			var statuses []string
			for _, l := range e.log.Lines() {
				if strings.HasPrefix(l, "DELETE ") {
					statuses = append(statuses, strings.Fields(l)[3])
				}
			}
			if diff := cmp.Diff([]string{s.deleteStatus, "404"}, statuses); diff != "" {
				t.Errorf("DELETE statuses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplace(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	old := e.desired(credentialDoc("r", "scope: tenant", `{type: password, user: old, password: p1}`), nil)[0]
	oldID := e.mustCreate(old)[0]
	live := e.snapshot()[old.Key]
	nd := e.desired(credentialDoc("r", "scope: tenant", `{type: password, user: new, password: p2}`), nil)[0]
	ch := &diff.Change{Action: diff.Replace, Key: nd.Key, ID: oldID, Desired: nd, Live: live}
	if _, err := e.step(diff.PhaseDelete, ch); err != nil {
		t.Fatalf("replace, delete step: %v", err)
	}
	newID, err := e.step(diff.PhaseCreate, ch)
	if err != nil || newID == "" || newID == oldID {
		t.Fatalf("replace, create step = %q, %v", newID, err)
	}
	now := e.snapshot()[nd.Key]
	if diff := cmp.Diff(nd.Attrs, now.Attrs); diff != "" || now.ID != newID {
		t.Errorf("after replace (-desired +live):\n%s", diff)
	}
	if s, _ := e.em.Server.StoredSecrets(newID); s["password"] != "p2" {
		t.Errorf("the replacement holds the old password")
	}
}

func TestCreateConflictOnCleanAttempt(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(credentialDoc("team-a-s3", "scope: project, projectId: 12", `{type: accessKey, accessKeyId: AK, secretAccessKey: sak-value}`), nil)[0]
	e.mustCreate(d)
	_, err := e.create(context.Background(), d, nil)
	var re *rest.Error
	var ee *Error
	if !errors.As(err, &re) || re.Status != 409 || !errors.As(err, &ee) {
		t.Fatalf("second create = %v, want a *runai.Error wrapping a 409 *rest.Error", err)
	}
	want := `credential team-a-s3 (accessKey, project 12): create failed: 409 a access-key credential named "team-a-s3" already exists in project 12 (id `
	if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "(POST /api/v1/asset/credentials/access-key): it already exists; it was created since the plan was made: run plan again") {
		t.Errorf("error = %s", err)
	}
	if n := len(e.snapshot()); n != 1 {
		t.Errorf("%d credentials", n)
	}
}

func TestCreateErrorNamesSubjectAndField(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(credentialDoc("team-a-s3", "scope: project, projectId: 999", `{type: accessKey, accessKeyId: AK, secretAccessKey: sak-value}`), nil)[0]
	_, err := e.create(context.Background(), d, nil)
	want := "credential team-a-s3 (accessKey, project 999): create failed: 400 project 999 does not exist (POST /api/v1/asset/credentials/access-key)"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	testkit.NoSecretIn(t, append(e.log.Lines(), fmt.Sprint(err)), "sak-value")
}

// TestUpdateOfAGoneObject: an object deleted since the plan answers 404
// to its update, and the error says to plan again.
func TestUpdateOfAGoneObject(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	cred := e.desired(credentialDoc("gone", "scope: project, projectId: 12", `{type: genericSecret, keyValuePairs: {K: v}}`), nil)[0]
	sa := e.desired(saDoc("gone-sa", ""), nil)[0]
	e.mustCreate(cred, sa)
	live := e.snapshot()
	for _, d := range []*diff.Object{cred, sa} {
		if _, err := e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: d.Key, ID: live[d.Key].ID, Live: live[d.Key]}); err != nil {
			t.Fatal(err)
		}
	}
	changed := *cred
	changed.Attrs = map[string]string{"metadata.description": "changed"}
	toggled := *sa
	toggled.Attrs = map[string]string{"spec.enabled": "false"}
	for _, d := range []*diff.Object{&changed, &toggled} {
		l := live[d.Key]
		_, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Update, Key: d.Key, ID: l.ID, Desired: d, Live: l})
		if !rest.IsStatus(err, 404) || !strings.HasSuffix(err.Error(), ": it no longer exists (deleted since the plan was made?): run plan again") {
			t.Errorf("update of %s = %v, want a 404 that says to plan again", d.Key, err)
		}
	}
}

func TestDeleteInUseNamesWorkloads(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(credentialDoc("shared", "scope: project, projectId: 12", `{type: genericSecret, keyValuePairs: {K: v}}`), nil)[0]
	id := e.mustCreate(d)[0]
	if err := e.em.Server.MarkInUse(id, emulator.Workload{Type: "workspaces", Name: "notebook-1"}, emulator.Workload{Type: "trainings", Name: "train-llm"}); err != nil {
		t.Fatal(err)
	}
	live := e.snapshot()[d.Key]
	_, err := e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: d.Key, ID: id, Live: live})
	if !rest.IsStatus(err, 412) {
		t.Fatalf("delete = %v, want a 412", err)
	}
	for _, want := range []string{"credential shared (genericSecret, project 12): delete failed: 412", "notebook-1, train-llm", "stop those workloads or point them at another credential"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestCreateTakesOutputsOfEarlierSteps(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	d := e.desired(credentialDoc("ci-login", "scope: project, projectId: 12",
		`{type: genericSecret, keyValuePairs: {RUNAI_CLIENT_ID: {fromServiceAccount: {name: ci, field: clientId}}, RUNAI_CLIENT_SECRET: {fromServiceAccount: {name: ci, field: clientSecret}}, PLAIN: {fromEnv: PLAIN}}}`),
		map[string]string{"PLAIN": "plain-value"})[0]
	sa := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}

	_, err := e.create(context.Background(), d, testkit.Outputs{sa: {"clientId": manifest.NewSecret("ci-id")}})
	want := "credential ci-login (genericSecret, project 12): create failed: spec.keyValuePairs.RUNAI_CLIENT_SECRET takes the clientSecret of ServiceAccount ci, which no earlier step of this apply produced"
	if err == nil || err.Error() != want {
		t.Errorf("create without the secret = %v\nwant %s", err, want)
	}
	if n := e.em.Server.Counts()["POST /api/v1/asset/credentials/generic-secret"]; n != 0 {
		t.Errorf("a create with a missing output was sent")
	}

	res, err := e.create(context.Background(), d, testkit.Outputs{sa: {"clientId": manifest.NewSecret("ci-id"), "clientSecret": manifest.NewSecret("ci-secret-value")}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	stored, _ := e.em.Server.StoredSecrets(res.ID)
	if diff := cmp.Diff(map[string]string{"RUNAI_CLIENT_ID": "ci-id", "RUNAI_CLIENT_SECRET": "ci-secret-value", "PLAIN": "plain-value"}, stored); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	testkit.NoSecretIn(t, e.log.Lines(), "ci-secret-value", "plain-value")
}

func TestDoRefusesWhatItDoesNotManage(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	k := manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: manifest.ScopeWorkspace, Name: "ci"}
	_, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: k})
	if err == nil || !strings.Contains(err.Error(), "does not manage SeqeraCredential") {
		t.Errorf("Do(SeqeraCredential) = %v", err)
	}
	for _, kind := range []manifest.Kind{manifest.KindServiceAccount, manifest.KindAccessKey} {
		k := manifest.Key{Kind: kind, Name: "ci"}
		if _, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: k}); err == nil || !strings.Contains(err.Error(), "no desired object") {
			t.Errorf("create %s without a desired object = %v", kind, err)
		}
		if _, err := e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: k}); err == nil || !strings.Contains(err.Error(), "no live object") {
			t.Errorf("delete %s without a live object = %v", kind, err)
		}
	}
	_, err = e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Name: "x", Scope: "tenant"}})
	if err == nil || !strings.Contains(err.Error(), "no live object") {
		t.Errorf("delete without a live object = %v", err)
	}
	if e.em.Server.TotalRequests() != 0 {
		t.Errorf("requests were sent: %v", e.em.Server.Counts())
	}
}
