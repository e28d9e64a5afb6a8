package runai

import (
	"strings"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
)

// deletingEnv is an emulator whose deletes take delay, and a provider whose
// polls advance the shared clock instead of sleeping.
func deletingEnv(t *testing.T, delay time.Duration) *env {
	e := setup(t, emulator.Options{DeleteDelay: delay})
	e.p.sleep = e.clock.Sleep
	return e
}

// TestReplaceWaitsForTheOldAsset: on a tenant that deletes asynchronously
// the create of a replace waits until the old asset is gone, so it never
// meets 409, and the name is absent for the delete delay plus the polling,
// not longer.
func TestReplaceWaitsForTheOldAsset(t *testing.T) {
	t.Parallel()
	e := deletingEnv(t, 3*time.Second)
	old := e.desired(credentialDoc("r", "scope: tenant", `{type: password, user: old, password: p1}`), nil)[0]
	oldID := e.mustCreate(old)[0]
	live := e.snapshot()[old.Key]
	nd := e.desired(credentialDoc("r", "scope: tenant", `{type: password, user: new, password: p2}`), nil)[0]
	ch := &diff.Change{Action: diff.Replace, Key: nd.Key, ID: oldID, Desired: nd, Live: live}
	if _, err := e.step(diff.PhaseDelete, ch); err != nil {
		t.Fatalf("replace, delete step: %v", err)
	}
	newID, err := e.step(diff.PhaseCreate, ch)
	if err != nil || newID == "" {
		t.Fatalf("replace, create step = %q, %v", newID, err)
	}
	if got := e.lastStatus("GET /api/v1/asset/credentials/password/" + oldID); got != "404" {
		t.Errorf("the create did not wait until the old asset was gone (last read %s)", got)
	}
	if n := e.em.Server.Counts()["POST /api/v1/asset/credentials/password"]; n != 2 { // the first create, then the replace's
		t.Errorf("%d creates, want 2: the replace's create met a conflict", n)
	}
	ab := e.em.Server.Absences()
	if len(ab) != 1 || ab[0].Gaps != 1 || ab[0].Longest < 3*time.Second || ab[0].Longest > 4*time.Second {
		t.Errorf("absences = %+v, want one gap of the 3s delete delay plus at most a poll", ab)
	}
}

// TestCreateWaitsForANameBeingDeleted: a create meeting 409 while its name
// is being deleted waits and tries again; a snapshot never shows the asset
// being deleted.
func TestCreateWaitsForANameBeingDeleted(t *testing.T) {
	t.Parallel()
	e := deletingEnv(t, 5*time.Second)
	d := e.desired(credentialDoc("w", "scope: project, projectId: 12", `{type: password, user: u, password: p1}`), nil)[0]
	id := e.mustCreate(d)[0]
	live := e.snapshot()[d.Key]
	if _, err := e.step(diff.PhaseDelete, &diff.Change{Action: diff.Delete, Key: d.Key, ID: id, Live: live}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, shown := e.snapshot()[d.Key]; shown {
		t.Fatalf("a snapshot shows the asset being deleted as live")
	}
	newID, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
	if err != nil || newID == "" || newID == id {
		t.Fatalf("create = %q, %v", newID, err)
	}
	if now := e.snapshot()[d.Key]; now == nil || now.ID != newID {
		t.Errorf("after the create the snapshot shows %+v, want id %s", now, newID)
	}
}

// TestDeleteTimeout: a deletion slower than DeleteTimeout fails the step
// with an error naming the flag; a "Deletion failed" ends the wait at once.
func TestDeleteTimeout(t *testing.T) {
	t.Parallel()
	e := deletingEnv(t, time.Hour)
	e.p.DeleteTimeout = 10 * time.Second
	d := e.desired(credentialDoc("slow", "scope: tenant", `{type: password, user: u, password: p1}`), nil)[0]
	id := e.mustCreate(d)[0]
	live := e.snapshot()[d.Key]
	ch := &diff.Change{Action: diff.Replace, Key: d.Key, ID: id, Desired: d, Live: live}
	if _, err := e.step(diff.PhaseDelete, ch); err != nil {
		t.Fatalf("delete step: %v", err)
	}
	_, err := e.step(diff.PhaseCreate, ch)
	if err == nil || !strings.Contains(err.Error(), "still being deleted after 10s") || !strings.Contains(err.Error(), "--delete-timeout") {
		t.Fatalf("the replace's create error = %v, want the timeout naming --delete-timeout", err)
	}
	_, err = e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
	if err == nil || !strings.Contains(err.Error(), "still being deleted") {
		t.Fatalf("create error = %v, want the timeout", err)
	}
	if err := e.em.Server.SetSyncStatus(id, "Deletion failed"); err != nil {
		t.Fatal(err)
	}
	_, err = e.step(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d})
	if err == nil || strings.Contains(err.Error(), "still being deleted") {
		t.Fatalf("create error = %v, want a conflict with the asset whose deletion failed", err)
	}
	if got := e.snapshot()[d.Key]; got == nil || got.ID != id {
		t.Errorf("an asset whose deletion failed is live: got %+v", got)
	}
}
