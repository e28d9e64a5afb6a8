package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const credsPath = "/api/v1/asset/credentials"

func TestScopeRules(t *testing.T) {
	_, c := start(t, Options{})
	cases := []struct {
		name    string
		meta    map[string]any
		status  int
		mention string
	}{
		{"project ok", map[string]any{"scope": "project", "projectId": 12}, 202, ""},
		{"department ok", map[string]any{"scope": "department", "departmentId": "2"}, 202, ""},
		{"cluster ok", map[string]any{"scope": "cluster", "clusterId": DefaultClusterID}, 202, ""},
		{"tenant ok", map[string]any{"scope": "tenant"}, 202, ""},
		{"project without id", map[string]any{"scope": "project"}, 400, "meta.projectId is required"},
		{"project with cluster", map[string]any{"scope": "project", "projectId": 12, "clusterId": DefaultClusterID}, 400, "meta.clusterId must not be set"},
		{"department with project", map[string]any{"scope": "department", "departmentId": "2", "projectId": 12}, 400, "meta.projectId must not be set"},
		{"cluster without id", map[string]any{"scope": "cluster"}, 400, "meta.clusterId is required"},
		{"tenant with id", map[string]any{"scope": "tenant", "departmentId": "1"}, 400, "meta.departmentId must not be set"},
		{"system", map[string]any{"scope": "system"}, 400, "cannot be used"},
		{"unknown project", map[string]any{"scope": "project", "projectId": 99}, 400, "project 99 does not exist"},
		{"unknown department", map[string]any{"scope": "department", "departmentId": "9"}, 400, `department "9" does not exist`},
		{"unknown cluster", map[string]any{"scope": "cluster", "clusterId": "00000000-0000-4000-8000-000000000000"}, 400, "does not exist"},
		{"bad scope", map[string]any{"scope": "galaxy"}, 400, "scope"},
		{"private access key", map[string]any{"scope": "tenant", "private": true}, 400, "meta.private"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			tc.meta["name"] = fmt.Sprintf("scoped-%d", i)
			r := c.do("POST", credsPath+"/access-key", map[string]any{"meta": tc.meta, "spec": map[string]any{"existingSecretName": "s"}})
			if r.status != tc.status || !strings.Contains(r.message(), tc.mention) {
				t.Fatalf("got %d %s, want %d mentioning %q", r.status, r.body, tc.status, tc.mention)
			}
		})
	}
}

func TestCreatedAssetShape(t *testing.T) {
	_, c := start(t, Options{})
	m := c.must(202, "POST", credsPath+"/access-key", accessKeyBody("s3", nil)).json(t)
	meta := m["meta"].(map[string]any)
	want := map[string]any{
		"name": "s3", "scope": "project", "projectId": 12.0, "projectName": "team-a", "clusterId": DefaultClusterID,
		"kind": "accessKey", "private": false, "autoDelete": false, "updateCount": 0.0, "createdBy": AdminUser, "updatedBy": AdminUser,
	}
	for k, v := range want {
		if meta[k] != v {
			t.Errorf("meta.%s = %v, want %v", k, meta[k], v)
		}
	}
	spec := m["spec"].(map[string]any)
	if spec["accessKeyId"] != "AKIAEXAMPLE" || spec["keyId"] == nil {
		t.Errorf("spec = %v", spec)
	}
	if st := m["status"].(map[string]any)["status"]; st != "Creating" {
		t.Errorf("status = %v, want Creating", st)
	}
	dep := c.must(202, "POST", credsPath+"/docker-registry", map[string]any{
		"meta": map[string]any{"name": "reg", "scope": "department", "departmentId": "2", "private": true},
		"spec": map[string]any{"user": "bot", "password": "pw", "url": "https://r.example.com"},
	}).json(t)["meta"].(map[string]any)
	if dep["clusterId"] != DefaultClusterID || dep["private"] != true || dep["departmentId"] != "2" {
		t.Errorf("department meta = %v", dep)
	}
}

func TestSpecRules(t *testing.T) {
	_, c := start(t, Options{})
	cases := []struct {
		typ     string
		spec    any
		status  int
		mention string
	}{
		{"access-key", map[string]any{"existingSecretName": "s3-secret"}, 202, ""},
		{"access-key", map[string]any{"accessKeyId": "A"}, 400, "spec.secretAccessKey is required"},
		{"access-key", map[string]any{"existingSecretName": "x", "secretAccessKey": "s"}, 400, "cannot be combined with spec.secretAccessKey"},
		{"access-key", map[string]any{"accessKeyId": "A", "secretAccessKey": "s", "url": "u"}, 400, "unknown field spec.url"},
		{"password", map[string]any{"user": "u"}, 400, "spec.password is required"},
		{"docker-registry", map[string]any{"user": "u", "password": "p"}, 400, "spec.url is required"},
		{"generic-secret", map[string]any{"keyValuePairs": []any{}}, 400, "at least one key"},
		{"generic-secret", map[string]any{"keyValuePairs": []any{map[string]any{"key": "A", "value": "1"}, map[string]any{"key": "A", "value": "2"}}}, 400, `key "A" appears twice`},
		{"generic-secret", map[string]any{"keyValuePairs": []any{map[string]any{"value": "1"}}}, 400, "key is required"},
		{"generic-secret", map[string]any{"existingSecretName": "k8s-secret"}, 202, ""},
		{"ngc-api-key", map[string]any{}, 400, "spec.ngc_api_key is required"},
		{"ngc-api-key", map[string]any{"ngc_api_key": "has space"}, 400, "spec.ngc_api_key"},
		{"ngc-api-key", map[string]any{"ngc_api_key": "k", "existingSecretName": "x"}, 400, "unknown field spec.existingSecretName"},
	}
	for i, tc := range cases {
		body := map[string]any{"meta": map[string]any{"name": fmt.Sprintf("n%d", i), "scope": "tenant"}, "spec": tc.spec}
		r := c.do("POST", credsPath+"/"+tc.typ, body)
		if r.status != tc.status || !strings.Contains(r.message(), tc.mention) {
			t.Errorf("%d %s %v: got %d %s, want %d mentioning %q", i, tc.typ, tc.spec, r.status, r.body, tc.status, tc.mention)
		}
	}
}

func TestNamesUniquePerTypeScopeAndID(t *testing.T) {
	_, c := start(t, Options{})
	c.must(202, "POST", credsPath+"/access-key", accessKeyBody("dup", nil))
	r := c.must(409, "POST", credsPath+"/access-key", accessKeyBody("dup", nil))
	if !strings.Contains(r.message(), `named "dup" already exists in project 12`) {
		t.Errorf("409 message %q", r.message())
	}
	c.must(202, "POST", credsPath+"/access-key", accessKeyBody("dup", map[string]any{"projectId": 13}))
	c.must(202, "POST", credsPath+"/access-key", accessKeyBody("dup", map[string]any{"scope": "department", "projectId": nil, "departmentId": "2"}))
	c.must(202, "POST", credsPath+"/password", map[string]any{
		"meta": map[string]any{"name": "dup", "scope": "project", "projectId": 12},
		"spec": map[string]any{"user": "u", "password": "p"},
	})
}

func TestNotFound(t *testing.T) {
	_, c := start(t, Options{})
	pw := id(t, c.must(202, "POST", credsPath+"/password", map[string]any{
		"meta": map[string]any{"name": "pw", "scope": "tenant"}, "spec": map[string]any{"user": "u", "password": "p"},
	}))
	missing := "0b6d2a8e-8c0f-4f51-9d39-3a0c7e3f1d22"
	for _, m := range []string{"GET", "DELETE"} {
		c.must(404, m, credsPath+"/password/"+missing, nil)
	}
	c.must(404, "PUT", credsPath+"/password/"+missing, map[string]any{"meta": map[string]any{"description": "d"}})
	c.must(404, "GET", credsPath+"/access-key/"+pw, nil) // right id, wrong type
	c.must(404, "GET", "/api/v1/nothing", nil)
	c.must(405, "PATCH", credsPath+"/password", nil)
}

// TestSecretsAreWriteOnly sends distinctive secrets and scans every reply.
func TestSecretsAreWriteOnly(t *testing.T) {
	in, c := start(t, Options{})
	secrets := []string{"SAK-zebra-1", "PW-zebra-2", "PW-zebra-3", "GS-zebra-4", "NGC-zebra-5"}
	bodies := map[string]map[string]any{
		"access-key":      {"accessKeyId": "AKIA", "secretAccessKey": secrets[0]},
		"password":        {"user": "u", "password": secrets[1]},
		"docker-registry": {"user": "u", "password": secrets[2], "url": "https://r"},
		"generic-secret":  {"keyValuePairs": []any{map[string]any{"key": "TOKEN", "value": secrets[3]}}},
		"ngc-api-key":     {"ngc_api_key": secrets[4]},
	}
	var replies [][]byte
	ids := map[string]string{}
	for typ, spec := range bodies {
		r := c.must(202, "POST", credsPath+"/"+typ, map[string]any{"meta": map[string]any{"name": "w", "scope": "tenant"}, "spec": spec})
		ids[typ] = id(t, r)
		replies = append(replies, r.body)
		replies = append(replies, c.must(200, "GET", credsPath+"/"+typ+"/"+ids[typ]+"?usageInfo=true&statusInfo=true", nil).body)
		replies = append(replies, c.must(200, "GET", credsPath+"/"+typ, nil).body)
		replies = append(replies, c.must(202, "PUT", credsPath+"/"+typ+"/"+ids[typ], map[string]any{"meta": map[string]any{"description": "d"}}).body)
	}
	replies = append(replies, c.must(200, "GET", credsPath, nil).body)
	for _, body := range replies {
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("reply leaks secret %s: %s", s, body)
			}
		}
	}
	gs := c.must(200, "GET", credsPath+"/generic-secret/"+ids["generic-secret"], nil).json(t)
	kvs := gs["spec"].(map[string]any)["keyValuePairs"].([]any)
	if len(kvs) != 1 || kvs[0].(map[string]any)["key"] != "TOKEN" {
		t.Errorf("generic-secret keys = %v, want [TOKEN] without values", kvs)
	}
	got, found := in.Server.StoredSecrets(ids["generic-secret"])
	if !found || got["TOKEN"] != secrets[3] {
		t.Errorf("StoredSecrets = %v", got)
	}
	if got, _ := in.Server.StoredSecrets(ids["access-key"]); got["secretAccessKey"] != secrets[0] {
		t.Errorf("StoredSecrets(access-key) = %v", got)
	}
}

func TestPutChangesDescriptionOnly(t *testing.T) {
	clock := newClock()
	_, c := start(t, Options{Now: clock.Now})
	r := c.must(202, "POST", credsPath+"/access-key", accessKeyBody("desc", map[string]any{"description": "old"}))
	aid := id(t, r)
	clock.Add(time.Minute)
	m := c.must(202, "PUT", credsPath+"/access-key/"+aid, map[string]any{"meta": map[string]any{"description": "new"}}).json(t)
	meta := m["meta"].(map[string]any)
	if meta["description"] != "new" || meta["updateCount"] != 1.0 || meta["name"] != "desc" || meta["createdAt"] == meta["updatedAt"] {
		t.Errorf("meta after PUT = %v", meta)
	}
	if m["status"].(map[string]any)["status"] != "Updating" {
		t.Errorf("status after PUT = %v", m["status"])
	}
	for _, body := range []any{
		map[string]any{"meta": map[string]any{"description": "x", "name": "other"}},
		map[string]any{"spec": map[string]any{"secretAccessKey": "new"}},
		map[string]any{"meta": map[string]any{"description": "x", "scope": "tenant"}},
	} {
		r := c.must(400, "PUT", credsPath+"/access-key/"+aid, body)
		if !strings.Contains(r.message(), "only meta.description can be updated") {
			t.Errorf("PUT %v: message %q", body, r.message())
		}
	}
	kept := c.must(202, "PUT", credsPath+"/access-key/"+aid, map[string]any{"meta": map[string]any{}}).json(t)
	if d := kept["meta"].(map[string]any)["description"]; d != "new" {
		t.Errorf("a PUT without description changed it to %v; absent means unchanged", d)
	}
	cleared := c.must(202, "PUT", credsPath+"/access-key/"+aid, map[string]any{"meta": map[string]any{"description": nil}}).json(t)
	if _, has := cleared["meta"].(map[string]any)["description"]; has {
		t.Errorf("description not cleared: %v", cleared["meta"])
	}
}

func TestDeleteStatusPerKind(t *testing.T) {
	_, c := start(t, Options{})
	want := map[string]int{"access-key": 202, "password": 202, "docker-registry": 202, "generic-secret": 204, "ngc-api-key": 204}
	specs := map[string]any{
		"access-key": map[string]any{"existingSecretName": "s"}, "password": map[string]any{"existingSecretName": "s"},
		"docker-registry": map[string]any{"existingSecretName": "s"}, "generic-secret": map[string]any{"existingSecretName": "s"},
		"ngc-api-key": map[string]any{"ngc_api_key": "k"},
	}
	for typ, status := range want {
		aid := id(t, c.must(202, "POST", credsPath+"/"+typ, map[string]any{"meta": map[string]any{"name": "d", "scope": "tenant"}, "spec": specs[typ]}))
		r := c.must(status, "DELETE", credsPath+"/"+typ+"/"+aid, nil)
		if status == 204 && len(r.body) != 0 {
			t.Errorf("%s: 204 with body %s", typ, r.body)
		}
		if status == 202 && r.json(t)["code"] != 202.0 {
			t.Errorf("%s: 202 body %s", typ, r.body)
		}
		c.must(404, "GET", credsPath+"/"+typ+"/"+aid, nil)
	}
}

func TestStatusFollowsSyncDelay(t *testing.T) {
	clock := newClock()
	in, c := start(t, Options{Now: clock.Now, SyncDelay: 10 * time.Second})
	aid := id(t, c.must(202, "POST", credsPath+"/access-key", accessKeyBody("st", nil)))
	status := func() string {
		m := c.must(200, "GET", credsPath+"/access-key/"+aid+"?statusInfo=true", nil).json(t)
		return m["status"].(map[string]any)["status"].(string)
	}
	if s := status(); s != "Creating" {
		t.Errorf("right after create: %q", s)
	}
	clock.Add(11 * time.Second)
	if s := status(); s != "No issues found" {
		t.Errorf("after the delay: %q", s)
	}
	c.must(202, "PUT", credsPath+"/access-key/"+aid, map[string]any{"meta": map[string]any{"description": "d"}})
	if s := status(); s != "Updating" {
		t.Errorf("right after update: %q", s)
	}
	clock.Add(11 * time.Second)
	if err := in.Server.SetSyncStatus(aid, "Failed"); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != "Failed" {
		t.Errorf("forced: %q", s)
	}
	c.with("").must(204, "POST", "/_emulator/status", map[string]any{"assetId": aid, "status": ""})
	if s := status(); s != "No issues found" {
		t.Errorf("after clearing the override: %q", s)
	}
	if m := c.must(200, "GET", credsPath+"/access-key/"+aid, nil).json(t); m["status"] != nil || m["usedBy"] != nil {
		t.Errorf("status or usedBy without the query flags: %v", m)
	}
}

func TestUsedByAndPreconditionFailed(t *testing.T) {
	in, c := start(t, Options{})
	aid := id(t, c.must(202, "POST", credsPath+"/access-key", accessKeyBody("used", nil)))
	if err := in.Server.MarkInUse(aid, Workload{Type: "trainings", Name: "train-1", Status: "Running"}, Workload{Type: "workspaces", Name: "ws-2"}); err != nil {
		t.Fatal(err)
	}
	m := c.must(200, "GET", credsPath+"/access-key/"+aid+"?usageInfo=true", nil).json(t)
	used := m["usedBy"].(map[string]any)
	if tr := used["trainings"].([]any); len(tr) != 1 || tr[0].(map[string]any)["name"] != "train-1" {
		t.Errorf("usedBy = %v", used)
	}
	r := c.must(412, "DELETE", credsPath+"/access-key/"+aid, nil)
	if !strings.Contains(r.message(), "is used by workloads: train-1, ws-2") {
		t.Errorf("412 message %q", r.message())
	}
	c.with("").must(204, "POST", "/_emulator/usage", map[string]any{"assetId": aid, "workloads": []any{}})
	c.must(202, "DELETE", credsPath+"/access-key/"+aid, nil)
	c.with("").must(404, "POST", "/_emulator/usage", map[string]any{"assetId": aid, "workloads": []any{}})
	if err := in.Server.MarkInUse(aid); err == nil {
		t.Error("MarkInUse of a deleted asset succeeded")
	}
}

func TestListFilters(t *testing.T) {
	_, c := start(t, Options{})
	mk := func(name string, meta map[string]any) {
		meta["name"] = name
		c.must(202, "POST", credsPath+"/password", map[string]any{"meta": meta, "spec": map[string]any{"user": "u", "password": "p"}})
	}
	mk("t", map[string]any{"scope": "tenant"})
	mk("c", map[string]any{"scope": "cluster", "clusterId": DefaultClusterID})
	mk("d1", map[string]any{"scope": "department", "departmentId": "1"})
	mk("d2", map[string]any{"scope": "department", "departmentId": "2"})
	mk("p7", map[string]any{"scope": "project", "projectId": 7})
	mk("p12", map[string]any{"scope": "project", "projectId": 12})
	c.must(202, "POST", credsPath+"/access-key", accessKeyBody("ak12", nil))
	names := func(path string) string {
		var out []string
		for _, e := range c.must(200, "GET", path, nil).json(t)["entries"].([]any) {
			out = append(out, e.(map[string]any)["meta"].(map[string]any)["name"].(string))
		}
		return strings.Join(out, ",")
	}
	cases := map[string]string{
		credsPath + "/password":                                                   "t,c,d1,d2,p7,p12",
		credsPath + "/password?name=d2":                                           "d2",
		credsPath + "/password?scope=project":                                     "p7,p12",
		credsPath + "/password?scope=project&projectId=12":                        "p12",
		credsPath + "/password?projectId=12":                                      "t,c,d2,p12",
		credsPath + "/password?departmentId=1":                                    "t,c,d1",
		credsPath + "/password?scope=department&departmentId=2":                   "d2",
		credsPath + "/password?clusterId=" + DefaultClusterID:                     "t,c",
		credsPath + "?clusterId=" + DefaultClusterID + "&includeDescendants=true": "t,c,d1,d2,p7,p12,ak12",
		credsPath + "?departmentId=2&includeDescendants=true":                     "t,c,d2,p12,ak12",
		credsPath + "?scope=project&projectId=12":                                 "p12,ak12",
		credsPath + "?name=ak12":                                                  "ak12",
	}
	for path, want := range cases {
		if got := names(path); got != want {
			t.Errorf("%s: got %s, want %s", path, got, want)
		}
	}
	combined := c.must(200, "GET", credsPath+"?name=ak12", nil).json(t)["entries"].([]any)[0].(map[string]any)
	if _, has := combined["spec"].(map[string]any)["accessKey"]; !has {
		t.Errorf("combined entry spec = %v, want spec.accessKey", combined["spec"])
	}
	c.must(400, "GET", credsPath+"?scope=project&includeDescendants=true", nil)
	c.must(400, "GET", credsPath+"/password?includeDescendants=true", nil)
	c.must(400, "GET", credsPath+"/password?scope=galaxy", nil)
}

func TestOrgUnits(t *testing.T) {
	_, c := start(t, Options{})
	p := c.must(200, "GET", "/api/v1/org-unit/projects?filterBy=name==team-a", nil).json(t)["projects"].([]any)
	if len(p) != 1 || p[0].(map[string]any)["id"] != "12" || p[0].(map[string]any)["parentId"] != "2" || p[0].(map[string]any)["clusterId"] != DefaultClusterID {
		t.Errorf("projects = %v", p)
	}
	d := c.must(200, "GET", "/api/v1/org-unit/departments?filterBy=name==research", nil).json(t)["departments"].([]any)
	if len(d) != 1 || d[0].(map[string]any)["id"] != "2" {
		t.Errorf("departments = %v", d)
	}
	if all := c.must(200, "GET", "/api/v1/org-unit/projects", nil).json(t)["projects"].([]any); len(all) != 3 {
		t.Errorf("all projects = %v", all)
	}
	cl := c.must(200, "GET", "/api/v1/clusters", nil)
	if !strings.Contains(string(cl.body), `"name":"gpu-cluster-1"`) || !strings.Contains(string(cl.body), `"uuid":"`+DefaultClusterID+`"`) {
		t.Errorf("clusters = %s", cl.body)
	}
	c.must(400, "GET", "/api/v1/org-unit/projects?filterBy=colour==red", nil)
	c.with("").must(http.StatusUnauthorized, "GET", "/api/v1/clusters", nil)

	org := Org{Clusters: []Cluster{{UUID: "11111111-2222-4333-8444-555555555555", Name: "c"}},
		Departments: []Department{{ID: "5", Name: "d", ClusterID: "11111111-2222-4333-8444-555555555555"}},
		Projects:    []Project{{ID: "50", Name: "p", ParentID: "5", ClusterID: "11111111-2222-4333-8444-555555555555"}}}
	_, c2 := start(t, Options{Org: &org})
	c2.must(202, "POST", credsPath+"/access-key", accessKeyBody("x", map[string]any{"projectId": 50}))
	c2.must(400, "POST", credsPath+"/access-key", accessKeyBody("x", map[string]any{"projectId": 12}))
	if _, err := New(Options{Org: &Org{Projects: []Project{{ID: "x"}}}}); err == nil {
		t.Error("New accepted an inconsistent org")
	}
}
