package emulator

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTokenEndpoint(t *testing.T) {
	clock := newClock()
	in, c := start(t, Options{Now: clock.Now, TokenTTL: 10 * time.Minute})
	r := c.must(200, "POST", "/api/v1/token", map[string]string{"grantType": "client_credentials", "clientId": in.ClientID, "clientSecret": in.ClientSecret})
	m := r.json(t)
	if m["expiresIn"] != 600.0 || m["tokenType"] != "Bearer" {
		t.Errorf("token reply = %s", r.body)
	}
	parts := strings.Split(m["accessToken"].(string), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var cl map[string]any
	if err := json.Unmarshal(payload, &cl); err != nil {
		t.Fatal(err)
	}
	if cl["sub"] != AdminUser || cl["exp"].(float64)-cl["iat"].(float64) != 600 {
		t.Errorf("claims = %v", cl)
	}
	bad := []struct {
		body    any
		status  int
		mention string
	}{
		{map[string]string{"grantType": "password", "clientId": in.ClientID, "clientSecret": in.ClientSecret}, 400, "grantType"},
		{map[string]string{"grantType": "client_credentials", "clientSecret": "x"}, 400, "clientId is required"},
		{map[string]any{"grantType": "client_credentials", "clientId": "a", "clientSecret": "b", "scope": "all"}, 400, `unknown field "scope"`},
		{`{"grantType":`, 400, "request body"},
		{map[string]string{"grantType": "client_credentials", "clientId": in.ClientID, "clientSecret": "wrong"}, 401, "invalid client credentials"},
	}
	for _, b := range bad {
		r := c.with("").do("POST", "/api/v1/token", b.body)
		if r.status != b.status || !strings.Contains(r.message(), b.mention) {
			t.Errorf("%v: got %d %s, want %d mentioning %q", b.body, r.status, r.body, b.status, b.mention)
		}
	}
	c.must(200, "GET", "/api/v1/service-accounts", nil)
	c.with("garbage").must(401, "GET", "/api/v1/service-accounts", nil)
	c.with("").must(401, "GET", "/api/v1/service-accounts", nil)
	clock.Add(11 * time.Minute)
	if r := c.must(401, "GET", "/api/v1/service-accounts", nil); !strings.Contains(r.message(), "expired") {
		t.Errorf("expired token message %q", r.message())
	}
	c.token = c.login(in.ClientID, in.ClientSecret)
	in.Server.ExpireTokens()
	c.must(401, "GET", "/api/v1/service-accounts", nil)
}

func TestLegacyTokenOmitsExpiresIn(t *testing.T) {
	in, c := start(t, Options{LegacyToken: true})
	m := c.tryLogin(in.ClientID, in.ClientSecret).json(t)
	if _, has := m["expiresIn"]; has || m["accessToken"] == nil {
		t.Errorf("legacy token reply = %v", m)
	}
}

func TestServiceAccountLifecycle(t *testing.T) {
	_, c := start(t, Options{})
	sa := c.must(201, "POST", "/api/v1/service-accounts", map[string]any{"name": "ci-pipeline"}).json(t)
	saID, clientID, secret := sa["id"].(string), sa["clientId"].(string), sa["clientSecret"].(string)
	c.must(409, "POST", "/api/v1/service-accounts", map[string]any{"name": "ci-pipeline"})

	got := c.must(200, "GET", "/api/v1/service-accounts/"+saID, nil).json(t)
	if got["enabled"] != true || got["lastLogin"] != nil || got["createdBy"] != AdminUser || got["clientSecret"] != nil {
		t.Errorf("new service account = %v", got)
	}
	saToken := c.login(clientID, secret)
	if got := c.must(200, "GET", "/api/v1/service-accounts/"+saID, nil).json(t); got["lastLogin"] == nil {
		t.Error("lastLogin not set after login")
	}
	// The service account acts as itself, in the scopes its rules grant.
	c.with(saToken).must(403, "POST", credsPath+"/access-key", accessKeyBody("by-sa", nil))
	c.must(201, "POST", rulesPath, map[string]any{"subjectType": "service-account", "subjectId": clientID, "roleId": roleID(t, c, "Credentials administrator"), "scopeType": "tenant", "scopeId": "1"})
	a := c.with(saToken).must(202, "POST", credsPath+"/access-key", accessKeyBody("by-sa", nil)).json(t)
	if a["meta"].(map[string]any)["createdBy"] != clientID {
		t.Errorf("createdBy = %v, want %s", a["meta"].(map[string]any)["createdBy"], clientID)
	}

	c.must(200, "PATCH", "/api/v1/service-accounts/"+saID, map[string]any{"enabled": false})
	if r := c.tryLogin(clientID, secret); r.status != 401 || !strings.Contains(r.message(), "service account ci-pipeline is disabled") {
		t.Errorf("disabled login: %d %s", r.status, r.body)
	}
	c.must(200, "PATCH", "/api/v1/service-accounts/"+saID, map[string]any{"enabled": true})
	c.login(clientID, secret)

	newSecret := c.must(200, "POST", "/api/v1/service-accounts/"+saID+"/secret", nil).json(t)["clientSecret"].(string)
	if newSecret == secret {
		t.Fatal("regenerated secret equals the old one")
	}
	if r := c.tryLogin(clientID, secret); r.status != 401 {
		t.Errorf("old secret after regenerate: %d", r.status)
	}
	c.login(clientID, newSecret)
	if list := c.must(200, "GET", "/api/v1/service-accounts", nil).body; !strings.Contains(string(list), clientID) || strings.Contains(string(list), newSecret) {
		t.Errorf("list = %s", list)
	}
	c.must(204, "DELETE", "/api/v1/service-accounts/"+saID, nil)
	c.must(404, "GET", "/api/v1/service-accounts/"+saID, nil)
	c.must(404, "PATCH", "/api/v1/service-accounts/"+saID, map[string]any{"enabled": true})
	if r := c.tryLogin(clientID, newSecret); r.status != 401 {
		t.Errorf("login of a deleted service account: %d", r.status)
	}
}

func TestAccessKeysPerCaller(t *testing.T) {
	in, admin := start(t, Options{})
	k := admin.must(201, "POST", "/api/v1/access-keys", map[string]any{"name": "laptop"}).json(t)
	admin.must(409, "POST", "/api/v1/access-keys", map[string]any{"name": "laptop"})
	if k["createdAt"] == nil || k["clientSecret"] == nil {
		t.Errorf("create reply = %v", k)
	}
	otherID, otherClient, otherSecret, err := in.Server.CreateForeignAccessKey("laptop", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	// A key logs in as its owner and sees only the owner's keys.
	alice := admin.with(admin.login(otherClient, otherSecret))
	mine := alice.must(200, "GET", "/api/v1/access-keys", nil).json(t)["accessKeys"].([]any)
	if len(mine) != 1 || mine[0].(map[string]any)["id"] != otherID || mine[0].(map[string]any)["lastLogin"] == nil {
		t.Errorf("alice's keys = %v", mine)
	}
	alice.must(404, "GET", "/api/v1/access-keys/"+k["id"].(string), nil)
	alice.must(404, "DELETE", "/api/v1/access-keys/"+k["id"].(string), nil)
	admin.must(404, "POST", "/api/v1/access-keys/"+otherID+"/secret", nil)
	if list := admin.must(200, "GET", "/api/v1/access-keys", nil).json(t)["accessKeys"].([]any); len(list) != 1 {
		t.Errorf("admin's keys = %v", list)
	}

	all := admin.must(200, "GET", "/api/v1/administration/access-keys", nil).json(t)["accessKeys"].([]any)
	if len(all) != 2 || all[1].(map[string]any)["createdBy"] != "alice@example.com" {
		t.Errorf("administration list = %v", all)
	}
	byOwner := admin.must(200, "GET", "/api/v1/administration/access-keys?createdBy=alice@example.com", nil).json(t)["accessKeys"].([]any)
	byClient := admin.must(200, "GET", "/api/v1/administration/access-keys?clientId="+k["clientId"].(string), nil).json(t)["accessKeys"].([]any)
	if len(byOwner) != 1 || len(byClient) != 1 || byClient[0].(map[string]any)["createdBy"] != AdminUser {
		t.Errorf("filtered: by owner %v, by client %v", byOwner, byClient)
	}

	newSecret := admin.must(200, "POST", "/api/v1/access-keys/"+k["id"].(string)+"/secret", nil).json(t)["clientSecret"].(string)
	if r := admin.tryLogin(k["clientId"].(string), k["clientSecret"].(string)); r.status != 401 {
		t.Errorf("old key secret: %d", r.status)
	}
	admin.login(k["clientId"].(string), newSecret)

	admin.must(204, "DELETE", "/api/v1/administration/access-keys/"+otherID, nil)
	admin.must(404, "DELETE", "/api/v1/administration/access-keys/"+otherID, nil)
	admin.must(204, "DELETE", "/api/v1/access-keys/"+k["id"].(string), nil)

	r := admin.with("").must(201, "POST", "/_emulator/access-keys", map[string]any{"name": "k2", "createdBy": "bob@example.com"}).json(t)
	if r["clientSecret"] == nil {
		t.Errorf("admin endpoint reply = %v", r)
	}
	admin.with("").must(409, "POST", "/_emulator/access-keys", map[string]any{"name": "k2", "createdBy": "bob@example.com"})
}
