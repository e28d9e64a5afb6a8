package runai

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// planOf makes the plan of src against the live state, as the CLI does:
// the provider of the families src needs, its desired and live objects,
// and the set as the ownership.
func (e *env) planOf(src string, opts diff.Options) (*diff.Plan, *Provider) {
	e.t.Helper()
	set := testkit.Parse(e.t, src)
	p := e.scoped(ScopeOf(set))
	desired, diags := p.Desired(set, testkit.Resolver(nil))
	if len(diags) > 0 {
		e.t.Fatalf("Desired: %v", diags)
	}
	live, err := p.Snapshot(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return diff.Compute(desired, live, set, opts), p
}

// applyPlan carries out src's plan and checks that the plan made next is
// empty.
func (e *env) applyPlan(src string, opts diff.Options) []string {
	e.t.Helper()
	plan, p := e.planOf(src, opts)
	var steps []string
	for _, w := range plan.Steps() {
		for _, s := range w {
			steps = append(steps, s.Verb()+" "+s.Change.Key.String())
		}
	}
	rep, err := apply.Run(context.Background(), plan, []apply.Provider{p}, apply.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	if again, _ := e.planOf(src, opts); again.HasChanges() {
		e.t.Errorf("the plan after the apply is not empty: %v", again.Actionable())
	}
	return steps
}

// TestAccessRulesApplied: an account and its rules are made in one apply,
// the account first; the rules let the account see its project and not
// another; a changed rule is a delete and a create; --prune deletes the
// undeclared rule of the account and leaves a group's rule alone.
func TestAccessRulesApplied(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	ctx := context.Background()
	pw := `{type: password, user: u, password: p1}`
	e.mustCreate(e.desired(credentialDoc("a-login", "scope: project, projectId: 12", pw)+credentialDoc("b-login", "scope: project, projectId: 13", pw), nil)...)
	file := filepath.Join(t.TempDir(), "ci.json")
	account := func(rules string) string {
		return saDoc("ci", "{secretFile: "+file+", accessRules: ["+rules+"]}")
	}
	teamA := `{role: ML engineer, scope: project, projectId: 12}`
	tenant := `{role: Environment administrator, scope: tenant}`

	steps := e.applyPlan(account(teamA+", "+tenant), diff.Options{})
	want := []string{"create ServiceAccount ci", "create ServiceAccount ci: access rule Environment administrator on the tenant", "create ServiceAccount ci: access rule ML engineer on project 12"}
	if !slices.Equal(steps, want) {
		t.Errorf("steps %q, want %q", steps, want)
	}
	var f struct{ ClientID, ClientSecret string }
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	rules, err := e.c.listAccessRules(ctx, manifest.Key{}, []string{f.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.SubjectType+" "+r.RoleName+" "+r.ScopeType+" "+r.ScopeID)
	}
	slices.Sort(got)
	if want := []string{"service-account Environment administrator tenant 1", "service-account ML engineer project 12"}; !slices.Equal(got, want) {
		t.Errorf("live rules of ci %q, want %q", got, want)
	}

	// The account's own login lists team-a's credential; team-b's is
	// refused.
	cfg := e.cfg
	cfg.ClientID, cfg.ClientSecret = f.ClientID, manifest.NewSecret(f.ClientSecret)
	as, _ := e.connect(cfg)
	own, err := as.listAllCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range own {
		names = append(names, c.Meta.Name)
	}
	if !slices.Equal(names, []string{"a-login"}) {
		t.Errorf("the account lists %q, want a-login", names)
	}
	bKey := manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "13", Name: "b-login"}
	if _, _, err := as.findCredential(ctx, bKey); !rest.IsStatus(err, http.StatusForbidden) {
		t.Errorf("reading team-b as the account: %v, want 403", err)
	}

	// A group's rule is no object of ours.
	ix, err := e.c.listRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	group := accessRuleSpec{SubjectType: "group", SubjectID: "ml-team", Role: "Viewer", RoleID: ix["Viewer"], ScopeType: "project", ScopeID: "12"}
	if _, err := e.c.createAccessRule(ctx, manifest.Key{}, group); err != nil {
		t.Fatal(err)
	}

	// team-a becomes team-b: without --prune the old rule stays, unmanaged.
	teamB := `{role: ML engineer, scope: project, projectId: 13}`
	plan, _ := e.planOf(account(teamB+", "+tenant), diff.Options{})
	if s := plan.Summary(); s.Create != 1 || s.Delete != 0 || len(plan.Unmanaged) != 1 || plan.Unmanaged[0].Key.ScopeID != "12" {
		t.Errorf("without prune: %+v, unmanaged %v", s, plan.Unmanaged)
	}
	steps = e.applyPlan(account(teamB+", "+tenant), diff.Options{Prune: true})
	want = []string{"delete ServiceAccount ci: access rule ML engineer on project 12", "create ServiceAccount ci: access rule ML engineer on project 13"}
	if !slices.Equal(steps, want) {
		t.Errorf("steps %q, want %q", steps, want)
	}
	if _, _, err := as.findCredential(ctx, bKey); err != nil {
		t.Errorf("reading team-b as the account after the change: %v", err)
	}

	// Pruning the tenant rule leaves the group's rule.
	steps = e.applyPlan(account(teamB), diff.Options{Prune: true})
	if want := []string{"delete ServiceAccount ci: access rule Environment administrator on the tenant"}; !slices.Equal(steps, want) {
		t.Errorf("steps %q, want %q", steps, want)
	}
	all, err := e.c.listAccessRules(ctx, manifest.Key{}, []string{"ml-team"})
	if err != nil || len(all) != 1 || !group.same(all[0]) {
		t.Errorf("the group's rule after the prune: %+v, %v", all, err)
	}
}

// TestAccessRuleUnknownRole: a role the tenant does not have fails the
// create, naming the account and the rule, and suggesting the role meant.
func TestAccessRuleUnknownRole(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	plan, p := e.planOf(saDoc("ci", `{accessRules: [{role: ml engineer, scope: project, projectId: 12}]}`), diff.Options{})
	rep, err := apply.Run(context.Background(), plan, []apply.Provider{p}, apply.Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg := ""
	if err := rep.Err(); err != nil {
		msg = err.Error()
	}
	for _, want := range []string{"service account ci: create access rule ml engineer on project 12 failed: ", `did you mean "ML engineer"?`} {
		if !strings.Contains(msg, want) {
			t.Errorf("apply error %q lacks %q", msg, want)
		}
	}
}

// TestAccessRuleResolvedRoleID: a role resolved before the plan (RoleID)
// travels in the desired rule's Settings and is the id the create sends;
// no role listing is needed then.
func TestAccessRuleResolvedRoleID(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	ctx := context.Background()
	ix, err := e.c.listRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set := testkit.Parse(t, saDoc("ci", `{accessRules: [{role: ML engineer, scope: project, projectId: 12}]}`))
	set.Resources[0].(*manifest.ServiceAccount).Spec.AccessRules[0].RoleID = ix["ML engineer"]
	p := e.scoped(ScopeOf(set))
	desired, _ := p.Desired(set, testkit.Resolver(nil))
	if len(desired) != 2 || desired[1].Settings[settingRoleID] == "" {
		t.Fatalf("desired %+v, want the account and a rule with its role id", desired)
	}
	live, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.em.Server.ResetCounts()
	rep, err := apply.Run(ctx, diff.Compute(desired, live, set, diff.Options{}), []apply.Provider{p}, apply.Options{})
	if err != nil || rep.Err() != nil {
		t.Fatalf("apply: %v %v", err, rep.Err())
	}
	if n := e.count(routeRoles); n != 0 {
		t.Errorf("%d role listings, want none", n)
	}
	if n := e.count(routeRuleCreate); n != 1 {
		t.Errorf("%d rule creates, want 1", n)
	}
}

// TestAccessRulesLive: the live rules are those of a live service account
// by its clientId, under the subject type service-account or its
// deprecated alias app; a user's or a group's rule, and the rule of a
// clientId no account has, are no objects. A desired rule met by an app
// rule is unchanged.
func TestAccessRulesLive(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	ctx := context.Background()
	key, clientID, _ := e.newAccount("ci")
	oldKey, oldClient, _ := e.newAccount("old")
	ix, err := e.c.listRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []accessRuleSpec{
		{SubjectType: subjectApp, SubjectID: clientID, Role: "Viewer", RoleID: ix["Viewer"], ScopeType: "project", ScopeID: "12"},
		{SubjectType: subjectServiceAccount, SubjectID: clientID, Role: "L1 researcher", RoleID: ix["L1 researcher"], ScopeType: "cluster", ScopeID: emulator.DefaultClusterID},
		{SubjectType: "user", SubjectID: emulator.AdminUser, Role: "Viewer", RoleID: ix["Viewer"], ScopeType: "project", ScopeID: "12"},
		{SubjectType: "group", SubjectID: clientID, Role: "Viewer", RoleID: ix["Viewer"], ScopeType: "project", ScopeID: "13"},
		{SubjectType: subjectServiceAccount, SubjectID: oldClient, Role: "Viewer", RoleID: ix["Viewer"], ScopeType: "project", ScopeID: "12"},
	} {
		if _, err := e.c.createAccessRule(ctx, key, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	// The account old goes, its rule stays behind.
	live := e.snapshotOf(Scope{ServiceAccounts: true})[oldKey]
	if err := e.c.deleteItem(ctx, oldKey, serviceAccountPath(live.ID)); err != nil {
		t.Fatal(err)
	}
	if all, err := e.c.listAccessRules(ctx, manifest.Key{}, []string{oldClient}); err != nil || len(all) != 1 {
		t.Fatalf("the rule of the deleted account: %+v, %v", all, err)
	}
	var got []string
	for k := range e.snapshotOf(Scope{AccessRules: true}) {
		got = append(got, k.String())
	}
	slices.Sort(got)
	want := []string{
		"ServiceAccount ci: access rule L1 researcher on cluster " + strings.ToLower(emulator.DefaultClusterID),
		"ServiceAccount ci: access rule Viewer on project 12",
	}
	if !slices.Equal(got, want) {
		t.Errorf("live rules %q, want %q", got, want)
	}
	plan, _ := e.planOf(saDoc("ci", `{accessRules: [{role: Viewer, scope: project, projectId: 12}, {role: L1 researcher, scope: cluster, clusterId: `+strings.ToUpper(emulator.DefaultClusterID)+`}]}`), diff.Options{})
	if plan.HasChanges() {
		t.Errorf("the app rule does not meet the desired one: %v", plan.Actionable())
	}
	// The accounts and their rules read together list the accounts once.
	e.em.Server.ResetCounts()
	both := e.snapshotOf(Scope{ServiceAccounts: true, AccessRules: true})
	if n := e.count("GET /api/v1/service-accounts"); n != 1 || len(both) != 3 {
		t.Errorf("%d objects in %d listings of the service accounts, want 3 in 1", len(both), n)
	}
}

// snapshotOf reads the live objects of the families of s by key.
func (e *env) snapshotOf(s Scope) map[manifest.Key]*diff.Object {
	e.t.Helper()
	return testkit.Snapshot(e.t, e.scoped(s))
}
