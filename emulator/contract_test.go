package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// recorder is a transport that notes, per spec operation, the statuses the
// emulator answered, so the contract test can prove it drove each one.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen map[string]map[int]bool
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.base.RoundTrip(req)
	if err != nil {
		return res, err
	}
	rt, rerr := specRouter()
	if rerr != nil {
		return res, err
	}
	if route, _, ferr := rt.FindRoute(req); ferr == nil {
		r.mu.Lock()
		if r.seen[route.Operation.OperationID] == nil {
			r.seen[route.Operation.OperationID] = map[int]bool{}
		}
		r.seen[route.Operation.OperationID][res.StatusCode] = true
		r.mu.Unlock()
	}
	return res, err
}

// bad sends an invalid request and checks the 400 names the problem.
func (c *client) bad(method, path string, body any, mention string) {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != http.StatusBadRequest {
		c.t.Errorf("%s %s: got %d %s, want 400", method, path, r.status, r.body)
		return
	}
	if m := r.message(); !strings.Contains(m, mention) {
		c.t.Errorf("%s %s: 400 message %q does not mention %q", method, path, m, mention)
	}
	if code, _ := r.json(c.t)["code"].(float64); code != 400 {
		c.t.Errorf("%s %s: body %s lacks code 400", method, path, r.body)
	}
}

// TestContractEveryOperation drives every operation of the embedded spec
// with a valid and an invalid request; Start validates every response
// against the spec. A spec operation nobody drives fails the test.
func TestContractEveryOperation(t *testing.T) {
	_, c := start(t, Options{})
	rec := &recorder{base: http.DefaultTransport, seen: map[string]map[int]bool{}}
	c.hc.Transport = rec

	const creds = "/api/v1/asset/credentials"
	c.must(200, "GET", creds+"?usageInfo=true&statusInfo=true&includeDescendants=true&clusterId="+DefaultClusterID, nil)
	c.bad("GET", creds+"?clusterId=not-a-uuid", nil, `"clusterId"`)

	bodies := map[string]map[string]any{
		"access-key":      {"accessKeyId": "AKIA1", "secretAccessKey": "sak-1"},
		"password":        {"user": "u", "password": "pw-1"},
		"docker-registry": {"user": "u", "password": "pw-2", "url": "https://registry.example.com"},
		"generic-secret":  {"keyValuePairs": []map[string]string{{"key": "K", "value": "v-1"}}},
		"ngc-api-key":     {"ngc_api_key": "nvapi-123"},
	}
	for _, typ := range []string{"access-key", "password", "docker-registry", "generic-secret", "ngc-api-key"} {
		base := creds + "/" + typ
		body := map[string]any{"meta": map[string]any{"name": "c-" + typ, "scope": "tenant"}, "spec": bodies[typ]}
		r := c.must(202, "POST", base, body)
		assetID := id(t, r)
		c.bad("POST", base, map[string]any{"meta": map[string]any{"name": "x"}, "spec": bodies[typ]}, "scope")
		c.bad("POST", base, `{"meta":`, "request body")
		c.must(200, "GET", base+"?name=c-"+typ+"&scope=tenant&statusInfo=true&usageInfo=false", nil)
		c.bad("GET", base+"?projectId=twelve", nil, `"projectId"`)
		c.must(200, "GET", base+"/"+assetID+"?usageInfo=true", nil)
		c.bad("GET", base+"/not-a-uuid", nil, `"AssetId"`)
		c.must(202, "PUT", base+"/"+assetID, map[string]any{"meta": map[string]any{"description": "new"}})
		c.bad("PUT", base+"/"+assetID, map[string]any{"meta": map[string]any{"name": "renamed"}}, "only meta.description can be updated")
		want := 202
		if typ == "generic-secret" || typ == "ngc-api-key" {
			want = 204
		}
		c.must(want, "DELETE", base+"/"+assetID, nil)
		c.bad("DELETE", base+"/12345", nil, `"AssetId"`)
	}

	const sas = "/api/v1/service-accounts"
	c.must(200, "GET", sas, nil)
	c.bad("GET", sas+"?limit=5", nil, `unknown query parameter "limit"`)
	sa := c.must(201, "POST", sas, map[string]any{"name": "ci-pipeline"}).json(t)
	saID := sa["id"].(string)
	c.bad("POST", sas, map[string]any{"name": "Not Valid"}, "name")
	c.must(200, "GET", sas+"/"+saID, nil)
	c.bad("GET", sas+"/"+saID+"?verbose=true", nil, `"verbose"`)
	c.must(200, "PATCH", sas+"/"+saID, map[string]any{"enabled": false})
	c.bad("PATCH", sas+"/"+saID, map[string]any{"enabled": "no"}, "enabled")
	c.must(200, "POST", sas+"/"+saID+"/secret", nil)
	c.bad("POST", sas+"/"+saID+"/secret", map[string]any{"clientSecret": "mine"}, "request body not allowed")
	c.must(204, "DELETE", sas+"/"+saID, nil)
	c.bad("DELETE", sas+"/"+saID, map[string]any{"force": true}, "request body not allowed")

	const aks = "/api/v1/access-keys"
	c.must(200, "GET", aks, nil)
	c.bad("GET", aks+"?all=true", nil, `"all"`)
	ak := c.must(201, "POST", aks, map[string]any{"name": "laptop"}).json(t)
	akID := ak["id"].(string)
	c.bad("POST", aks, map[string]any{"name": "x", "expires": "never"}, "name")
	c.bad("POST", aks, map[string]any{"name": "laptop-2", "expires": "never"}, "unknown field expires")
	c.must(200, "GET", aks+"/"+akID, nil)
	c.bad("GET", aks+"/"+akID+"?x=1", nil, `"x"`)
	c.must(200, "POST", aks+"/"+akID+"/secret", nil)
	c.bad("POST", aks+"/"+akID+"/secret", "{}", "request body not allowed")
	c.must(204, "DELETE", aks+"/"+akID, nil)
	c.bad("DELETE", aks+"/"+akID+"?x=1", nil, `"x"`)

	const admin = "/api/v1/administration/access-keys"
	other := c.must(201, "POST", aks, map[string]any{"name": "other"}).json(t)
	c.must(200, "GET", admin+"?createdBy="+AdminUser+"&clientId="+other["clientId"].(string), nil)
	c.bad("GET", admin+"?owner=me", nil, `"owner"`)
	c.must(204, "DELETE", admin+"/"+other["id"].(string), nil)
	c.bad("DELETE", admin+"/"+other["id"].(string)+"?cascade=true", nil, `"cascade"`)

	const org = "/api/v1/org-unit"
	c.must(200, "GET", org+"/projects?filterBy=name==team-a,clusterId=="+DefaultClusterID+"&sortBy=name&sortOrder=desc&offset=0&limit=10&search=team", nil)
	c.bad("GET", org+"/projects?limit=501", nil, `"limit"`)
	c.must(200, "GET", org+"/departments?filterBy=name=@re&verbosity=verbose&limit=1", nil)
	c.bad("GET", org+"/departments?filterBy=parentId==1", nil, `"filterBy"`)
	c.must(200, "GET", "/api/v1/clusters?verbosity=metadata&includeRequestedForDelete=false", nil)
	c.bad("GET", "/api/v1/clusters?verbosity=loud", nil, `"verbosity"`)

	const authz = "/api/v1/authorization"
	c.must(200, "GET", authz+"/roles", nil)
	c.bad("GET", authz+"/roles?name=Viewer", nil, `"name"`)
	holder := c.must(201, "POST", sas, map[string]any{"name": "rule-holder"}).json(t)["clientId"].(string)
	rule := c.must(201, "POST", authz+"/access-rules", map[string]any{"subjectType": "service-account", "subjectId": holder,
		"roleId": 8, "scopeType": "project", "scopeId": "12", "clusterId": DefaultClusterID}).json(t)
	c.bad("POST", authz+"/access-rules", map[string]any{"subjectType": "service-account", "subjectId": holder, "roleId": "Viewer", "scopeType": "project", "scopeId": "12"}, "roleId")
	c.must(200, "GET", authz+"/access-rules?subjectType=service-account&subjectIds="+holder+"&filterBy=roleName==Viewer&sortBy=createdAt&sortOrder=asc&offset=0&limit=10&includeDeleted=false&clusterId="+DefaultClusterID, nil)
	c.bad("GET", authz+"/access-rules?sortBy=colour", nil, `"sortBy"`)
	ruleID := strconv.Itoa(int(rule["id"].(float64)))
	c.must(200, "GET", authz+"/access-rules/"+ruleID, nil)
	c.bad("GET", authz+"/access-rules/-1", nil, `"accessRuleId"`)
	c.must(204, "DELETE", authz+"/access-rules/"+ruleID, nil)
	c.bad("DELETE", authz+"/access-rules/x", nil, `"accessRuleId"`)

	if _, err := specRouter(); err != nil {
		t.Fatal(err)
	}
	doc := routerDoc
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			statuses := rec.seen[op.OperationID]
			valid := false
			for s := range statuses {
				valid = valid || (s >= 200 && s < 300)
			}
			if !valid || !statuses[400] {
				missing = append(missing, method+" "+path+" ("+op.OperationID+")")
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations not driven with both a valid (2xx) and an invalid (400) request:\n%s", strings.Join(missing, "\n"))
	}
}
