package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLastLoginIsTheGrantTime checks that a token grant to a service
// account or an access key records the clock's time as lastLogin, and that
// the admin user's login records nothing on them.
func TestLastLoginIsTheGrantTime(t *testing.T) {
	clock := newClock()
	in, c := start(t, Options{Now: clock.Now})
	sa := c.must(http.StatusCreated, "POST", "/api/v1/service-accounts", map[string]string{"name": "ci-bot"}).json(t)
	key := c.must(http.StatusCreated, "POST", "/api/v1/access-keys", map[string]string{"name": "laptop"}).json(t)
	saPath := "/api/v1/service-accounts/" + sa["id"].(string)
	if got := c.must(200, "GET", saPath, nil).json(t)["lastLogin"]; got != nil {
		t.Fatalf("lastLogin before any login = %v, want null", got)
	}
	clock.Add(90 * time.Minute)
	c.login(sa["clientId"].(string), sa["clientSecret"].(string))
	c.token = c.login(in.ClientID, in.ClientSecret)
	want := formatTime(clock.Now())
	if got := c.must(200, "GET", saPath, nil).json(t)["lastLogin"]; got != want {
		t.Errorf("service account lastLogin = %v, want %s", got, want)
	}
	clock.Add(time.Hour)
	c.token = c.login(in.ClientID, in.ClientSecret)
	c.login(key["clientId"].(string), key["clientSecret"].(string))
	want = formatTime(clock.Now())
	if got := c.must(200, "GET", "/api/v1/access-keys/"+key["id"].(string), nil).json(t)["lastLogin"]; got != want {
		t.Errorf("access key lastLogin = %v, want %s", got, want)
	}
}

// TestAgeEndpoint sets createdAt and lastLogin through /_emulator/age and
// reads them back through the vendor routes (whose replies Start
// validates against the spec).
func TestAgeEndpoint(t *testing.T) {
	in, c := start(t, Options{})
	admin := c.with("")
	sa := c.must(http.StatusCreated, "POST", "/api/v1/service-accounts", map[string]string{"name": "ci-bot"}).json(t)
	saID := sa["id"].(string)
	c.login(sa["clientId"].(string), sa["clientSecret"].(string))
	keyID, _, _, err := in.Server.CreateForeignAccessKey("old-key", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	assetID := id(t, c.must(http.StatusAccepted, "POST", "/api/v1/asset/credentials/access-key", accessKeyBody("team-a-s3", nil)))

	created := "2025-01-02T03:04:05.000Z"
	login := "2025-06-01T00:00:00.000Z"
	admin.must(http.StatusNoContent, "POST", "/_emulator/age", map[string]any{"id": saID, "createdAt": created, "lastLogin": login})
	got := c.must(200, "GET", "/api/v1/service-accounts/"+saID, nil).json(t)
	if got["createdAt"] != created || got["lastLogin"] != login {
		t.Errorf("service account: createdAt %v lastLogin %v, want %s %s", got["createdAt"], got["lastLogin"], created, login)
	}
	// Absent lastLogin: unchanged; null: never logged in.
	admin.must(http.StatusNoContent, "POST", "/_emulator/age", map[string]any{"id": saID, "createdAt": "2024-01-01T00:00:00Z"})
	if got := c.must(200, "GET", "/api/v1/service-accounts/"+saID, nil).json(t); got["lastLogin"] != login || got["createdAt"] != "2024-01-01T00:00:00.000Z" {
		t.Errorf("after createdAt only: %v", got)
	}
	admin.must(http.StatusNoContent, "POST", "/_emulator/age", map[string]any{"id": saID, "lastLogin": nil})
	if got := c.must(200, "GET", "/api/v1/service-accounts/"+saID, nil).json(t)["lastLogin"]; got != nil {
		t.Errorf("lastLogin after null = %v, want null", got)
	}

	admin.must(http.StatusNoContent, "POST", "/_emulator/age", map[string]any{"id": keyID, "createdAt": created, "lastLogin": login})
	keys := c.must(200, "GET", "/api/v1/administration/access-keys?createdBy=alice@example.com", nil).json(t)["accessKeys"].([]any)
	if k := keys[0].(map[string]any); len(keys) != 1 || k["createdAt"] != created || k["lastLogin"] != login {
		t.Errorf("access key: %v", keys)
	}

	admin.must(http.StatusNoContent, "POST", "/_emulator/age", map[string]any{"id": assetID, "createdAt": created})
	meta := c.must(200, "GET", "/api/v1/asset/credentials/access-key/"+assetID, nil).json(t)["meta"].(map[string]any)
	if meta["createdAt"] != created {
		t.Errorf("credential meta.createdAt = %v, want %s", meta["createdAt"], created)
	}
}

// TestAgeEndpointRejects checks the admin endpoint's errors.
func TestAgeEndpointRejects(t *testing.T) {
	_, c := start(t, Options{})
	admin := c.with("")
	assetID := id(t, c.must(http.StatusAccepted, "POST", "/api/v1/asset/credentials/access-key", accessKeyBody("team-a-s3", nil)))
	for _, tc := range []struct {
		name string
		body any
		want int
		msg  string
	}{
		{"unknown id", map[string]any{"id": "nope", "createdAt": "2025-01-01T00:00:00Z"}, 404, "no credential, service account or access key nope"},
		{"login of a credential", map[string]any{"id": assetID, "lastLogin": "2025-01-01T00:00:00Z"}, 400, "has no lastLogin"},
		{"nothing to set", map[string]any{"id": assetID}, 400, "nothing to set"},
		{"no id", map[string]any{"createdAt": "2025-01-01T00:00:00Z"}, 400, "id is required"},
		{"bad time", map[string]any{"id": assetID, "lastLogin": "yesterday"}, 400, "RFC 3339"},
		{"unknown field", map[string]any{"id": assetID, "updatedAt": "2025-01-01T00:00:00Z"}, 400, "updatedAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.do("POST", "/_emulator/age", tc.body)
			if r.status != tc.want || !strings.Contains(r.message(), tc.msg) {
				t.Errorf("got %d %q, want %d containing %q", r.status, r.message(), tc.want, tc.msg)
			}
		})
	}
	if r := admin.do("GET", "/_emulator/age", nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", r.status)
	}
}
