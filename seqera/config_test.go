package seqera

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

func TestNewSaysWhatToFix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	token := manifest.NewSecret("tower-token-value")
	good := Config{Endpoint: "https://api.tower.nf/api", Token: token}
	with := func(f func(*Config)) Config { c := good; f(&c); return c }
	tests := []struct {
		name string
		cfg  Config
		want string // the error; "" for success
	}{
		{"ok", good, ""},
		{"ok without a path", with(func(c *Config) { c.Endpoint = "https://api.cloud.seqera.io/" }), ""},
		{"ok on loopback", with(func(c *Config) { c.Endpoint = "http://127.0.0.1:8080/api" }), ""},
		{"no endpoint", with(func(c *Config) { c.Endpoint = " " }), "no Seqera endpoint: set TOWER_API_ENDPOINT (for example https://api.tower.nf/api)"},
		{"no scheme", with(func(c *Config) { c.Endpoint = "api.tower.nf/api" }), `the Seqera endpoint "api.tower.nf/api" must start with https:// (or http:// for a local emulator): set TOWER_API_ENDPOINT to one such as https://api.tower.nf/api`},
		{"credentials in URL", with(func(c *Config) { c.Endpoint = "https://u:p@api.tower.nf/api" }), "the Seqera endpoint must not hold credentials: put the token in TOWER_ACCESS_TOKEN"},
		{"query", with(func(c *Config) { c.Endpoint = "https://api.tower.nf/api?workspaceId=1" }), `the Seqera endpoint "https://api.tower.nf/api?workspaceId=1" must not have a query or fragment: give https://api.tower.nf/api`},
		{"no token", with(func(c *Config) { c.Token = manifest.Secret{} }), "no Seqera access token: set TOWER_ACCESS_TOKEN (create one in Seqera Platform under Your tokens)"},
		{"empty token", with(func(c *Config) { c.Token = manifest.NewSecret("") }), "no Seqera access token: set TOWER_ACCESS_TOKEN (create one in Seqera Platform under Your tokens)"},
		{"token with a line break", with(func(c *Config) { c.Token = manifest.NewSecret("tower-token-value\n") }), "TOWER_ACCESS_TOKEN holds white space or a line break: set it to the token alone"},
		{"unreadable CA file", with(func(c *Config) { c.CAFile = filepath.Join(dir, "missing.pem") }), "Seqera CA file " + filepath.Join(dir, "missing.pem") + ": cannot read it: no such file or directory"},
		{"CA file without certificates", with(func(c *Config) { c.CAFile = notPEM }), "Seqera CA file " + notPEM + ": no PEM certificate found in it: give the CA certificate (-----BEGIN CERTIFICATE-----)"},
	}
	for _, tt := range tests {
		c, err := New(tt.cfg)
		switch {
		case tt.want == "" && (err != nil || c == nil):
			t.Errorf("%s: New = %v, %v", tt.name, c, err)
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("%s: New error = %v\nwant %s", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), token.Reveal()) {
			t.Errorf("%s: the error shows the token", tt.name)
		}
	}
	c, _ := New(with(func(c *Config) { c.Endpoint = "https://tower.example/api/" }))
	if got := c.Endpoint(); got != "https://tower.example/api" {
		t.Errorf("Endpoint = %q", got)
	}
}

// TestRejectedToken: a wrong token is one attempt (a static token cannot
// be renewed), and the error says what to do without showing it.
func TestRejectedToken(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	cfg := e.cfg
	cfg.Token = manifest.NewSecret("wrong-tower-token")
	_, p := e.connect(cfg, Options{})
	_, err := p.Snapshot(t.Context())
	want := "seqera personal workspace: list credentials failed: 401 "
	hint := ": the credentials were rejected (GET /credentials): TOWER_ACCESS_TOKEN was rejected (expired or revoked?): create a new token in Seqera Platform under Your tokens and set it"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), hint) {
		t.Errorf("error = %v\nwant %s…%s", err, want, hint)
	}
	var re *rest.Error
	if !errors.As(err, &re) || re.Attempts != 1 {
		t.Errorf("want one attempt: %#v", err)
	}
	testkit.NoSecretIn(t, append(e.log.Lines(), err.Error()), "wrong-tower-token", e.em.SeqeraToken)
}

// TestUnknownWorkspace: a workspace the user cannot use is a 403 that
// names it and says where it came from; a malformed id is refused before
// anything is sent.
func TestUnknownWorkspace(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	_, err := NewProvider(e.c, []string{"1001", "4242"}, Options{}).Snapshot(t.Context())
	want := "seqera workspace 4242: list credentials failed: 403 workspace 4242 not found or not accessible (GET /credentials): the token's user cannot use workspace 4242 (no such workspace, or no role in it): check metadata.workspaceId, the Ownership's workspaceId or TOWER_WORKSPACE_ID"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	e.em.Server.ResetCounts()
	_, err = NewProvider(e.c, []string{"team-a"}, Options{}).Snapshot(t.Context())
	want = "seqera workspace team-a: list credentials failed: the workspace id is not a positive decimal number: check metadata.workspaceId or TOWER_WORKSPACE_ID"
	if err == nil || err.Error() != want || e.em.Server.TotalRequests() != 0 {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

// TestWrongEndpointSaysSo points the client at a web server that is not
// the API: every answer, 200 HTML or 404, suggests checking the endpoint.
func TestWrongEndpointSaysSo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		create bool
		want   string
	}{
		{"list on a web page", 200, "<html>Welcome</html>", false, "seqera personal workspace: list credentials failed: 200 cannot decode the reply: the reply is not valid JSON (at byte 1) (GET /credentials): the reply is not the API's JSON: is TOWER_API_ENDPOINT the API's URL (for example https://api.tower.nf/api)?"},
		{"list not found", 404, "<html>Not here</html>", false, "seqera personal workspace: list credentials failed: 404 Not Found (GET /credentials): is TOWER_API_ENDPOINT the API's URL (for example https://api.tower.nf/api, or https://HOST/api for Seqera Enterprise)?"},
		{"create without an id", 200, `{"ok":true}`, true, "seqera credential x (personal workspace): create failed: the reply holds no credential id (neither credentialsId nor credentials.id): is TOWER_API_ENDPOINT the API's URL (for example https://api.tower.nf/api)?"},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.body))
		}))
		c, err := New(Config{Endpoint: srv.URL, Token: manifest.NewSecret("t")})
		if err != nil {
			t.Fatal(err)
		}
		p := NewProvider(c, []string{""}, Options{})
		if tt.create {
			d := &diff.Object{Key: key("", "x"), Attrs: map[string]string{attrProvider: `"ssh"`}}
			_, err = p.Do(t.Context(), diff.Step{Phase: diff.PhaseCreate, Change: &diff.Change{Action: diff.Create, Key: d.Key, Desired: d}}, nil)
		} else {
			_, err = p.Snapshot(t.Context())
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v\nwant %s", tt.name, err, tt.want)
		}
		srv.Close()
	}
}

// TestTLSWithCAFile serves the emulator over TLS with a self-signed
// certificate: trusted through the CA file, refused without it
// (verification is always on, and a certificate error is not retried). It
// also checks the User-Agent.
func TestTLSWithCAFile(t *testing.T) {
	t.Parallel()
	em, err := emulator.New(emulator.Options{ValidateResponses: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := testkit.ServeTLS(t, em)
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	_, _, token := em.Credentials()
	cfg := Config{Endpoint: srv.URL + "/api", Token: manifest.NewSecret(token), Settings: rest.Settings{UserAgent: "runai-sync/9.9.9 (test)"}}
	untrusted, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewProvider(untrusted, []string{""}, Options{}).Snapshot(context.Background())
	var re *rest.Error
	if err == nil || !strings.Contains(err.Error(), "the server's certificate is not trusted: pass --ca-file with the CA certificate that signed it") || !errors.As(err, &re) || re.Attempts != 1 {
		t.Errorf("without the CA file: %v (want one attempt failing on the certificate)", err)
	}
	cfg.CAFile = srv.CAFile
	trusted, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewProvider(trusted, []string{"", "1001"}, Options{}).Snapshot(context.Background()); err != nil {
		t.Fatalf("with the CA file: %v", err)
	}
	if agents := srv.Agents(); len(agents) != 1 || agents["runai-sync/9.9.9 (test)"] != 2 {
		t.Errorf("User-Agents seen: %v, want the configured one on both lists", agents)
	}
}
