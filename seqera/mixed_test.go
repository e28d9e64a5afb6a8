package seqera

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestMixedSet: one manifest set with Run:ai and Seqera documents. The
// provider takes the SeqeraCredentials only, reads only the workspaces the
// set names, and its live keys match the Ownership selectors: with
// --prune the plan deletes the undeclared credential of the owned
// workspace, next to the Run:ai change, and leaves other workspaces alone.
func TestMixedSet(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	set := testkit.Parse(t, `
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: team-a-s3, scope: tenant}
spec: {type: password, user: u, password: p}
---
apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci}
---
apiVersion: runai-sync/v1
kind: SeqeraCredential
metadata: {name: git, workspaceId: 1001}
spec: {provider: gitea, keys: {username: ci, password: {fromServiceAccount: {name: ci, field: clientSecret}}}}
---
apiVersion: runai-sync/v1
kind: Ownership
metadata: {name: team-a}
spec:
  credentials: [{scope: tenant}]
  seqeraCredentials: [{workspaceId: 1001}]
`)
	if diff := cmp.Diff([]string{"1001"}, Workspaces(set)); diff != "" {
		t.Errorf("Workspaces (-want +got):\n%s", diff)
	}
	desired, diags := NewProvider(e.c, Workspaces(set), Options{}).Desired(set, testkit.Resolver(nil))
	if len(diags) > 0 || len(desired) != 1 || desired[0].Key != key("1001", "git") {
		t.Fatalf("Desired = %v, %v; want the Seqera credential alone", desired, diags)
	}
	// Live: ours (created by an earlier apply), a stray one in the owned
	// workspace, and one in a workspace the set does not name.
	sa := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	if _, err := e.create(desired[0], testkit.Outputs{sa: {"clientSecret": manifest.NewSecret("ci-secret")}}); err != nil {
		t.Fatal(err)
	}
	e.mustCreate(e.desired(seqeraDoc("stray", "workspaceId: 1001", `{provider: ssh, keys: {privateKey: k}}`)+
		seqeraDoc("elsewhere", "workspaceId: 1002", `{provider: ssh, keys: {privateKey: k}}`), nil)...)
	e.em.Server.ResetCounts()
	live, err := NewProvider(e.c, Workspaces(set), Options{}).Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{routeList: 1}, e.em.Server.Counts()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	runaiCred := &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "tenant", Name: "team-a-s3"}, Provider: "runai"}
	plan := diff.Compute(append(desired, runaiCred), live, set, diff.Options{Prune: true})
	type change struct {
		Action   string
		Key      string
		Provider string
	}
	var got []change
	for _, c := range plan.Changes {
		got = append(got, change{c.Action.String(), c.Key.String(), c.Provider})
	}
	want := []change{
		{"delete", "SeqeraCredential stray (workspace 1001)", "seqera"},
		{"create", "Credential password team-a-s3 (tenant)", "runai"},
		{"no-op", "SeqeraCredential git (workspace 1001)", "seqera"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}
