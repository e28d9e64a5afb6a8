package emulator

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// credNames lists the names of the credentials in a list reply.
func credNames(t *testing.T, r resp) []string {
	t.Helper()
	var l struct {
		Entries []struct {
			Meta struct {
				Name string `json:"name"`
			} `json:"meta"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range l.Entries {
		out = append(out, e.Meta.Name)
	}
	return out
}

func credIn(name, scope string, id any) map[string]any {
	m := map[string]any{"name": name, "scope": scope}
	switch scope {
	case "project":
		m["projectId"] = id
	case "department":
		m["departmentId"] = id
	}
	return map[string]any{"meta": m, "spec": map[string]any{"existingSecretName": "k8s-" + name}}
}

func TestServiceAccountActsOnlyWhereItsRulesGrant(t *testing.T) {
	_, admin := start(t, Options{})
	clientID, sa := newSA(t, admin, "ci")
	gs := credsPath + "/generic-secret"
	admin.must(202, "POST", gs, credIn("tenant-wide", "tenant", nil))
	admin.must(202, "POST", gs, credIn("b-secret", "project", 13))
	bID := id(t, admin.must(202, "POST", gs, credIn("b-other", "project", 13)))

	// No rule: nothing to see, nothing to do.
	if got := credNames(t, sa.must(200, "GET", credsPath, nil)); len(got) != 0 {
		t.Errorf("without rules the account sees %v", got)
	}
	sa.must(403, "POST", gs, credIn("a-secret", "project", 12))

	// ML engineer on team-a: read and write credentials there only.
	rule := admin.must(201, "POST", rulesPath, ruleBody(clientID, roleID(t, admin, "ML engineer"), "project", "12")).json(t)
	sa.must(202, "POST", gs, credIn("a-secret", "project", 12))
	if r := sa.must(403, "POST", gs, credIn("b-new", "project", 13)); !strings.Contains(r.message(), "no access rule that lets it write credentials in project 13") {
		t.Errorf("refusal: %s", r.body)
	}
	sa.must(403, "POST", gs, credIn("t-new", "tenant", nil))
	if got := credNames(t, sa.must(200, "GET", credsPath, nil)); strings.Join(got, ",") != "a-secret" {
		t.Errorf("account sees %v, want [a-secret]", got)
	}
	if got := credNames(t, sa.must(200, "GET", gs+"?projectId=12", nil)); strings.Join(got, ",") != "a-secret" {
		t.Errorf("team-a list = %v (the tenant's credential is not the account's to see)", got)
	}
	sa.must(403, "GET", gs+"?projectId=13", nil)
	sa.must(403, "GET", credsPath+"?departmentId=2&includeDescendants=true", nil)
	sa.must(403, "GET", gs+"/"+bID, nil)
	sa.must(403, "DELETE", gs+"/"+bID, nil)
	sa.must(403, "GET", "/api/v1/service-accounts", nil)
	sa.must(200, "GET", rolesPath, nil)
	if l := listRules(t, sa, url.Values{}); l.TotalRecords != 0 {
		t.Errorf("an account without access-rule permissions lists %d rules", l.TotalRecords)
	}
	sa.must(403, "POST", rulesPath, ruleBody(clientID, roleID(t, admin, "System administrator"), "tenant", "1"))

	// Viewer on department research: reads team-b, still cannot write there.
	admin.must(201, "POST", rulesPath, ruleBody(clientID, roleID(t, admin, "Viewer"), "department", "2"))
	if got := credNames(t, sa.must(200, "GET", gs+"?projectId=13", nil)); strings.Join(got, ",") != "b-secret,b-other" {
		t.Errorf("team-b list = %v", got)
	}
	sa.must(200, "GET", gs+"/"+bID, nil)
	sa.must(403, "DELETE", gs+"/"+bID, nil)
	sa.must(403, "GET", gs+"?projectId=7", nil)

	// Deleting a rule takes its grant away at once; the admin keeps full access.
	admin.must(204, "DELETE", rulesPath+"/"+string(mustJSON(t, rule["id"])), nil)
	sa.must(403, "POST", gs, credIn("a-again", "project", 12))
	if got := credNames(t, sa.must(200, "GET", credsPath, nil)); strings.Join(got, ",") != "b-secret,b-other,a-secret" {
		t.Errorf("after the delete the account sees %v (its Viewer rule on research)", got)
	}
	if got := credNames(t, admin.must(200, "GET", credsPath, nil)); len(got) != 4 {
		t.Errorf("admin sees %v", got)
	}

	// A tenant rule grants everything its role allows.
	admin.must(201, "POST", rulesPath, ruleBody(clientID, roleID(t, admin, "System administrator"), "tenant", "1"))
	sa.must(202, "POST", gs, credIn("t-new", "tenant", nil))
	sa.must(200, "GET", "/api/v1/service-accounts", nil)
	if l := listRules(t, sa, url.Values{}); l.TotalRecords != 2 {
		t.Errorf("a system administrator lists %d rules, want 2", l.TotalRecords)
	}
}

func TestDepartmentRuleGrantsItsProjects(t *testing.T) {
	_, admin := start(t, Options{})
	clientID, sa := newSA(t, admin, "ci")
	admin.must(201, "POST", rulesPath, ruleBody(clientID, roleID(t, admin, "Credentials administrator"), "department", "2"))
	gs := credsPath + "/generic-secret"
	sa.must(202, "POST", gs, credIn("a", "project", 12))
	sa.must(202, "POST", gs, credIn("b", "project", 13))
	sa.must(202, "POST", gs, credIn("d", "department", "2"))
	sa.must(403, "POST", gs, credIn("s", "project", 7))
	sa.must(403, "POST", gs, credIn("d1", "department", "1"))
	// A role without credentials permissions grants nothing, even tenant-wide.
	other, sa2 := newSA(t, admin, "env-admin")
	admin.must(201, "POST", rulesPath, ruleBody(other, roleID(t, admin, "Environment administrator"), "tenant", "1"))
	if got := credNames(t, sa2.must(200, "GET", credsPath, nil)); len(got) != 0 {
		t.Errorf("environment administrator sees %v", got)
	}
}
