package runai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Routes of roles and access rules in the emulator's Counts.
const (
	routeRoles      = "GET /api/v1/authorization/roles"
	routeRuleList   = "GET /api/v1/authorization/access-rules"
	routeRuleCreate = "POST /api/v1/authorization/access-rules"
)

// newAccount creates a service account through the provider and returns
// its key, client id and secret.
func (e *env) newAccount(name string) (manifest.Key, string, string) {
	e.t.Helper()
	d := e.one(saDoc(name, ""))
	id, secret := secrets(e.t, e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d}))
	return d.Key, id, secret
}

// ruleFor is the spec of a rule giving role to the account clientID,
// resolved through the roles endpoint.
func (e *env) ruleFor(clientID, role, scopeType, scopeID string) accessRuleSpec {
	e.t.Helper()
	ix, err := e.c.listRoles(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	id, err := ix.id(role)
	if err != nil {
		e.t.Fatal(err)
	}
	return accessRuleSpec{SubjectType: subjectServiceAccount, SubjectID: clientID, Role: role, RoleID: id, ScopeType: scopeType, ScopeID: scopeID}
}

func TestRolesByName(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	ix, err := e.c.listRoles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ML engineer", "Viewer", "Credentials administrator", "L1 researcher"} {
		if _, err := ix.id(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if a, b := ix["ML engineer"], ix["Viewer"]; a == b {
		t.Errorf("two roles share id %d", a)
	}
	for name, want := range map[string]string{
		"ml  Engineer": `unknown role "ml  Engineer"; did you mean "ML engineer"?`,
		"Wizard":       `unknown role "Wizard"; the roles are: Compute resource administrator, Credentials administrator,`,
	} {
		if _, err := ix.id(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("id(%q) = %v, want %q", name, err, want)
		}
	}
}

func TestAccessRuleLifecycle(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	ctx := context.Background()
	key, clientID, _ := e.newAccount("ci")
	_, otherID, _ := e.newAccount("other")

	ml := e.ruleFor(clientID, "ML engineer", "project", "12")
	r, err := e.c.createAccessRule(ctx, key, ml)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.RoleName != "ML engineer" || r.ScopeName != "team-a" || !ml.same(r) {
		t.Errorf("created %+v", r)
	}
	viewer := e.ruleFor(clientID, "Viewer", "department", "2")
	if _, err := e.c.createAccessRule(ctx, key, viewer); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.createAccessRule(ctx, key, e.ruleFor(otherID, "Viewer", "tenant", "1")); err != nil {
		t.Fatal(err)
	}
	// The same rule again meets 409 and is taken, not made twice.
	again, err := e.c.createAccessRule(ctx, key, ml)
	if err != nil || again.ID != r.ID {
		t.Errorf("second create = %+v, %v; want rule %d taken", again, err, r.ID)
	}

	mine, err := e.c.listAccessRules(ctx, key, []string{clientID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range mine {
		got = append(got, l.spec().String())
	}
	sort.Strings(got)
	if want := "access rule ML engineer on project 12,access rule Viewer on department 2"; strings.Join(got, ",") != want {
		t.Errorf("rules of ci = %v, want %s", got, want)
	}
	if all, err := e.c.listAccessRules(ctx, key, nil); err != nil || len(all) != 3 {
		t.Errorf("all rules = %d, %v", len(all), err)
	}

	if err := e.c.deleteAccessRule(ctx, key, r); err != nil {
		t.Fatal(err)
	}
	if err := e.c.deleteAccessRule(ctx, key, r); err != nil {
		t.Errorf("deleting a rule that is gone: %v", err)
	}
	if mine, _ := e.c.listAccessRules(ctx, key, []string{clientID}); len(mine) != 1 || !viewer.same(mine[0]) {
		t.Errorf("after the delete: %+v", mine)
	}

	// A rule on a scope that does not exist fails with the API's reason and
	// names the account and the rule.
	_, err = e.c.createAccessRule(ctx, key, e.ruleFor(clientID, "Viewer", "project", "99"))
	var oe *Error
	if !errors.As(err, &oe) || !rest.IsStatus(err, http.StatusBadRequest) ||
		!strings.Contains(err.Error(), `service account ci: create access rule Viewer on project 99 failed: `) ||
		!strings.Contains(err.Error(), `project "99" does not exist`) {
		t.Errorf("create on a missing project: %v", err)
	}
}

// TestAccessRulesPaged: the list follows totalRecords over pages of the
// spec's maximum size.
func TestAccessRulesPaged(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	ctx := context.Background()
	ix, err := e.c.listRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := accessRulesPage + 3
	for i := range n {
		s := accessRuleSpec{SubjectType: "group", SubjectID: fmt.Sprintf("g-%03d", i), Role: "Viewer", RoleID: ix["Viewer"], ScopeType: "project", ScopeID: "12"}
		if _, err := e.c.createAccessRule(ctx, manifest.Key{}, s); err != nil {
			t.Fatal(err)
		}
	}
	e.em.Server.ResetCounts()
	all, err := e.c.listAccessRules(ctx, manifest.Key{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int32]bool{}
	for _, r := range all {
		seen[r.ID] = true
	}
	if len(all) != n || len(seen) != n || e.count(routeRuleList) != 2 {
		t.Errorf("%d rules (%d distinct) in %d requests, want %d in 2", len(all), len(seen), e.count(routeRuleList), n)
	}
	// Many subjects are asked for in parts, each read to its end.
	var subjects []string
	for i := range subjectsPerList + 20 {
		subjects = append(subjects, fmt.Sprintf("g-%03d", 2*i))
	}
	e.em.Server.ResetCounts()
	some, err := e.c.listAccessRules(ctx, manifest.Key{}, subjects)
	if err != nil {
		t.Fatal(err)
	}
	if len(some) != len(subjects) || e.count(routeRuleList) != 2 {
		t.Errorf("%d rules of %d subjects in %d requests, want one each in 2", len(some), len(subjects), e.count(routeRuleList))
	}
	for i, r := range some {
		if r.SubjectID != subjects[i] {
			t.Fatalf("rule %d is of %s, want %s", i, r.SubjectID, subjects[i])
		}
	}
}

// TestAccessRulesOverLostReplies: with replies lost and requests failed at
// random, every rule is created exactly once.
func TestAccessRulesOverLostReplies(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{Seed: 7, LostRate: 0.3, FailRate: 0.2})
	ctx := context.Background()
	key, clientID, _ := e.newAccount("ci")
	specs := []accessRuleSpec{
		e.ruleFor(clientID, "Viewer", "tenant", "1"),
		e.ruleFor(clientID, "ML engineer", "project", "12"),
		e.ruleFor(clientID, "ML engineer", "project", "13"),
		e.ruleFor(clientID, "Credentials administrator", "department", "2"),
		e.ruleFor(clientID, "L1 researcher", "cluster", emulator.DefaultClusterID),
	}
	for _, s := range specs {
		if _, err := e.c.createAccessRule(ctx, key, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	live, err := e.c.listAccessRules(ctx, key, []string{clientID})
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != len(specs) {
		t.Errorf("%d live rules for %d created", len(live), len(specs))
	}
	for _, s := range specs {
		found := 0
		for _, r := range live {
			if s.same(r) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("%s: %d live", s, found)
		}
	}
	if e.count(routeRuleCreate) <= len(specs) {
		t.Errorf("%d creates for %d rules: the faults did not hit the creates", e.count(routeRuleCreate), len(specs))
	}
}
