package runai

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

func TestNewSaysWhatToFix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := manifest.NewSecret("client-secret-value")
	pair := Config{BaseURL: "https://acme.run.ai", ClientID: "ci", ClientSecret: secret}
	with := func(f func(*Config)) Config { c := pair; f(&c); return c }
	tests := []struct {
		name string
		cfg  Config
		want string // a substring of the error; "" for success
	}{
		{"ok", pair, ""},
		{"ok with a path prefix", with(func(c *Config) { c.BaseURL = "https://acme.example/runai/" }), ""},
		{"ok with a token", Config{BaseURL: "http://127.0.0.1:8080", Token: manifest.NewSecret("t")}, ""},
		{"no URL", with(func(c *Config) { c.BaseURL = " " }), "set RUNAI_BASE_URL or --url"},
		{"no scheme", with(func(c *Config) { c.BaseURL = "acme.run.ai" }), `"acme.run.ai" must start with https://`},
		{"other scheme", with(func(c *Config) { c.BaseURL = "ftp://acme.run.ai" }), "must start with https://"},
		{"credentials in URL", with(func(c *Config) { c.BaseURL = "https://u:p@acme.run.ai" }), "must not hold credentials"},
		{"query", with(func(c *Config) { c.BaseURL = "https://acme.run.ai/?x=1" }), "must not have a query"},
		{"no credentials", Config{BaseURL: "https://acme.run.ai"}, "set RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET, or RUNAI_TOKEN"},
		{"id without secret", with(func(c *Config) { c.ClientSecret = manifest.Secret{} }), "RUNAI_CLIENT_SECRET is not"},
		{"secret without id", with(func(c *Config) { c.ClientID = "" }), "RUNAI_CLIENT_ID is not"},
		{"both", with(func(c *Config) { c.Token = manifest.NewSecret("t") }), "unset one of them"},
		{"unreadable CA file", with(func(c *Config) { c.CAFile = filepath.Join(dir, "missing.pem") }), "missing.pem: cannot read it: no such file or directory"},
		{"CA file without certificates", with(func(c *Config) { c.CAFile = notPEM }), "no PEM certificate"},
	}
	for _, tt := range tests {
		c, err := New(tt.cfg)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: New: %v", tt.name, err)
		case tt.want == "" && c == nil:
			t.Errorf("%s: New returned no client", tt.name)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: New error = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), secret.Reveal()) {
			t.Errorf("%s: the error shows the secret", tt.name)
		}
	}
	c, _ := New(with(func(c *Config) { c.BaseURL = "https://acme.example/runai/" }))
	if got := c.BaseURL(); got != "https://acme.example/runai" {
		t.Errorf("BaseURL = %q", got)
	}
}

// TestWrongURLSaysSo points the client at a web server that is not the
// API: every answer, 200 HTML or 404, must suggest checking the URL.
func TestWrongURLSaysSo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		token  bool
		want   string
	}{
		{"login on a web page", 200, false, "log in to Run:ai: 200 cannot decode the reply: the reply is not valid JSON (at byte 1) (POST /api/v1/token): is RUNAI_BASE_URL (--url) the control plane's URL?"},
		{"login not found", 404, false, "log in to Run:ai: 404 Not Found (POST /api/v1/token): is RUNAI_BASE_URL (--url) the control plane's URL?"},
		{"list on a web page", 200, true, "list credentials failed: 200 cannot decode the reply: the reply is not valid JSON (at byte 1) (GET /api/v1/asset/credentials): the reply is not the API's JSON: is RUNAI_BASE_URL (--url) the control plane's URL?"},
		{"list not found", 404, true, "list credentials failed: 404 Not Found (GET /api/v1/asset/credentials): is RUNAI_BASE_URL (--url) the control plane's URL?"},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte("<html>Welcome</html>"))
		}))
		cfg := Config{BaseURL: srv.URL, ClientID: "ci", ClientSecret: manifest.NewSecret("s")}
		if tt.token {
			cfg = Config{BaseURL: srv.URL, Token: manifest.NewSecret("t")}
		}
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = NewProvider(c).Snapshot(t.Context())
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v\nwant %s", tt.name, err, tt.want)
		}
		srv.Close()
	}
}
