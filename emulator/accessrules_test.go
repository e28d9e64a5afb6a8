package emulator

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

const (
	rolesPath = "/api/v1/authorization/roles"
	rulesPath = "/api/v1/authorization/access-rules"
)

// roleID looks a role up by name through the roles endpoint.
func roleID(t *testing.T, c *client, name string) int {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal(c.must(200, "GET", rolesPath, nil).body, &list); err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r["name"] == name {
			return int(r["id"].(float64))
		}
	}
	t.Fatalf("no role named %q", name)
	return 0
}

// newSA creates a service account and returns its clientId and a client
// logged in as it.
func newSA(t *testing.T, admin *client, name string) (string, *client) {
	t.Helper()
	sa := admin.must(201, "POST", "/api/v1/service-accounts", map[string]any{"name": name}).json(t)
	id := sa["clientId"].(string)
	return id, admin.with(admin.login(id, sa["clientSecret"].(string)))
}

func ruleBody(subject string, roleID int, scopeType, scopeID string) map[string]any {
	return map[string]any{"subjectType": "service-account", "subjectId": subject, "roleId": roleID, "scopeType": scopeType, "scopeId": scopeID}
}

// ruleList is the reply of the access-rules list.
type ruleList struct {
	TotalRecords   int              `json:"totalRecords"`
	DisplayRecords int              `json:"displayRecords"`
	AccessRules    []map[string]any `json:"accessRules"`
}

func listRules(t *testing.T, c *client, q url.Values) ruleList {
	t.Helper()
	var l ruleList
	if err := json.Unmarshal(c.must(200, "GET", rulesPath+"?"+q.Encode(), nil).body, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRolesListHasTheVendorNames(t *testing.T) {
	_, c := start(t, Options{})
	var list []map[string]any
	if err := json.Unmarshal(c.must(200, "GET", rolesPath, nil).body, &list); err != nil {
		t.Fatal(err)
	}
	names, ids := map[string]bool{}, map[float64]bool{}
	for _, r := range list {
		names[r["name"].(string)] = true
		ids[r["id"].(float64)] = true
	}
	for _, want := range []string{"System administrator", "ML engineer", "Viewer", "Credentials administrator", "L1 researcher", "Department administrator"} {
		if !names[want] {
			t.Errorf("role %q missing from %v", want, names)
		}
	}
	if len(ids) != len(list) || len(list) != len(roles) {
		t.Errorf("%d roles with %d distinct ids, want %d", len(list), len(ids), len(roles))
	}
	c.must(400, "GET", rolesPath+"?limit=5", nil) // no parameters in the spec
}

func TestAccessRuleLifecycle(t *testing.T) {
	_, c := start(t, Options{})
	sa, _ := newSA(t, c, "ci")
	ml := roleID(t, c, "ML engineer")
	created := c.must(201, "POST", rulesPath, ruleBody(sa, ml, "project", "12")).json(t)
	if created["roleName"] != "ML engineer" || created["scopeName"] != "team-a" || created["clusterId"] != DefaultClusterID ||
		created["createdBy"] != AdminUser || created["subjectId"] != sa {
		t.Errorf("created = %v", created)
	}
	rid := string(mustJSON(t, created["id"]))
	got := c.must(200, "GET", rulesPath+"/"+rid, nil).json(t)
	if got["scopePath"] != "tenant/gpu-cluster-1/research/team-a" {
		t.Errorf("scopePath = %v", got["scopePath"])
	}
	if r := c.must(409, "POST", rulesPath, ruleBody(sa, ml, "project", "12")); !strings.Contains(r.message(), "already exists") {
		t.Errorf("duplicate: %s", r.body)
	}
	c.must(201, "POST", rulesPath, ruleBody(sa, roleID(t, c, "Viewer"), "department", "2"))
	c.must(201, "POST", rulesPath, map[string]any{"subjectType": "user", "subjectId": AdminUser, "roleId": roleID(t, c, "Viewer"), "scopeType": "tenant", "scopeId": "1"})
	c.must(201, "POST", rulesPath, map[string]any{"subjectType": "group", "subjectId": "ml-team", "roleId": ml, "scopeType": "cluster", "scopeId": DefaultClusterID})

	for name, tc := range map[string]struct {
		q     url.Values
		total int
	}{
		"all":                  {url.Values{}, 4},
		"subjectIds":           {url.Values{"subjectIds": {sa + ",ml-team"}}, 3},
		"subjectType":          {url.Values{"subjectType": {"service-account"}}, 2},
		"filterBy roleName":    {url.Values{"filterBy": {"roleName==ML engineer"}}, 2},
		"filterBy two terms":   {url.Values{"filterBy": {"roleName==ML engineer", "scopeType==project"}}, 1},
		"filterBy contains":    {url.Values{"filterBy": {"scopeName=@TEAM"}}, 1},
		"scopeType and id":     {url.Values{"scopeType": {"department"}, "scopeId": {"2"}}, 1},
		"search":               {url.Values{"search": {"RESEARCH"}}, 1},
		"search scope name":    {url.Values{"search": {"team-a"}}, 1},
		"lastUpdated in past":  {url.Values{"lastUpdated": {"2000-01-01T00:00:00Z"}}, 4},
		"subjectIdFilter part": {url.Values{"subjectIdFilter": {"ml-"}}, 1},
	} {
		if l := listRules(t, c, tc.q); l.TotalRecords != tc.total || l.DisplayRecords != len(l.AccessRules) {
			t.Errorf("%s: total %d (display %d, %d rules), want %d", name, l.TotalRecords, l.DisplayRecords, len(l.AccessRules), tc.total)
		}
	}
	page := listRules(t, c, url.Values{"limit": {"3"}, "offset": {"2"}, "sortBy": {"roleName"}, "sortOrder": {"desc"}})
	if page.TotalRecords != 4 || page.DisplayRecords != 2 || page.AccessRules[0]["roleName"] != "ML engineer" {
		t.Errorf("page = %+v", page)
	}

	c.must(204, "DELETE", rulesPath+"/"+rid, nil)
	c.must(404, "GET", rulesPath+"/"+rid, nil)
	c.must(404, "DELETE", rulesPath+"/"+rid, nil)
	if l := listRules(t, c, url.Values{}); l.TotalRecords != 3 {
		t.Errorf("after delete: %d rules", l.TotalRecords)
	}
	l := listRules(t, c, url.Values{"includeDeleted": {"true"}, "filterBy": {"roleName==ML engineer", "scopeType==project"}})
	if l.TotalRecords != 1 || l.AccessRules[0]["deletedAt"] == nil {
		t.Errorf("deleted rule with includeDeleted: %+v", l)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAccessRuleCreateRejectsUnknowns(t *testing.T) {
	_, c := start(t, Options{})
	sa := c.must(201, "POST", "/api/v1/service-accounts", map[string]any{"name": "ci"}).json(t)
	client, saID := sa["clientId"].(string), sa["id"].(string)
	viewer := roleID(t, c, "Viewer")
	for name, tc := range map[string]struct {
		body map[string]any
		want string
	}{
		"unknown role":           {ruleBody(client, 999, "project", "12"), "role 999 does not exist"},
		"unknown service acct":   {ruleBody("sa-nobody", viewer, "project", "12"), `clientId "sa-nobody" does not exist`},
		"id instead of clientId": {ruleBody(saID, viewer, "project", "12"), "is its clientId (" + client + ")"},
		"unknown project":        {ruleBody(client, viewer, "project", "99"), `project "99" does not exist`},
		"unknown department":     {ruleBody(client, viewer, "department", "9"), `department "9" does not exist`},
		"unknown cluster":        {ruleBody(client, viewer, "cluster", "00000000-0000-4000-8000-000000000000"), "does not exist"},
		"wrong tenant":           {ruleBody(client, viewer, "tenant", "2"), "tenant id 1"},
		"system scope":           {ruleBody(client, viewer, "system", "1"), "use scope tenant"},
		"unknown user":           {map[string]any{"subjectType": "user", "subjectId": "who@x", "roleId": viewer, "scopeType": "tenant", "scopeId": "1"}, `user "who@x" does not exist`},
		"unknown subject type":   {map[string]any{"subjectType": "robot", "subjectId": client, "roleId": viewer, "scopeType": "tenant", "scopeId": "1"}, "subjectType"},
		"unknown field":          {map[string]any{"subjectType": "app", "subjectId": client, "roleId": viewer, "scopeType": "tenant", "scopeId": "1", "role": "x"}, "unknown field role"},
		"missing scope":          {map[string]any{"subjectType": "app", "subjectId": client, "roleId": viewer}, "scopeId"},
		"cluster mismatch": {map[string]any{"subjectType": "app", "subjectId": client, "roleId": viewer, "scopeType": "project", "scopeId": "12",
			"clusterId": "00000000-0000-4000-8000-000000000000"}, "is not the cluster of project 12"},
	} {
		r := c.do("POST", rulesPath, tc.body)
		if r.status != 400 || !strings.Contains(r.message(), tc.want) {
			t.Errorf("%s: %d %s, want 400 with %q", name, r.status, r.body, tc.want)
		}
	}
	// The deprecated subject type app names a service account too.
	c.must(201, "POST", rulesPath, map[string]any{"subjectType": "app", "subjectId": client, "roleId": viewer, "scopeType": "tenant", "scopeId": "1"})
	c.must(400, "GET", rulesPath+"?filterBy=colour==red", nil)
	c.must(400, "GET", rulesPath+"?limit=501", nil)
	c.must(400, "GET", rulesPath+"?lastUpdated=yesterday", nil)
	c.must(400, "GET", rulesPath+"?owner=me", nil)
	c.must(400, "GET", rulesPath+"/abc", nil)
}

func TestAccessRulesSurviveRestart(t *testing.T) {
	file := t.TempDir() + "/state.json"
	in, c := start(t, Options{DataFile: file})
	clientID := c.must(201, "POST", "/api/v1/service-accounts", map[string]any{"name": "ci"}).json(t)["clientId"].(string)
	first := c.must(201, "POST", rulesPath, ruleBody(clientID, roleID(t, c, "Viewer"), "project", "12")).json(t)
	if err := in.Server.Close(); err != nil {
		t.Fatal(err)
	}
	_, c2 := start(t, Options{DataFile: file})
	if l := listRules(t, c2, url.Values{"subjectIds": {clientID}}); l.TotalRecords != 1 || l.AccessRules[0]["roleName"] != "Viewer" {
		t.Errorf("after the restart: %+v", l)
	}
	second := c2.must(201, "POST", rulesPath, ruleBody(clientID, roleID(t, c2, "Viewer"), "project", "13")).json(t)
	if second["id"] == first["id"] {
		t.Errorf("a restarted emulator gave rule id %v again", first["id"])
	}
}
