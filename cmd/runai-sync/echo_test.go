package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
)

// echoing is a hostile server in front of the emulator: the requests that
// match get, instead of the emulator's answer, an error that quotes the
// request, body and headers, in JSON or in plain text.
func echoing(t *testing.T, target string, match func(*http.Request) bool, status int, asJSON bool) *httptest.Server {
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !match(r) {
			proxy.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		dump := fmt.Sprintf("bad request body: %s %s %s headers: %v", r.Method, r.URL, body, r.Header)
		if asJSON {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"code": status, "message": dump, "error": dump,
				"workflows": []string{string(body)}})
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, dump)
	}))
	t.Cleanup(srv.Close)
	return srv
}

const echoManifests = `apiVersion: runai-sync/v1
kind: Credential
metadata: {name: echoed, scope: project, projectId: 12}
spec: {type: password, user: someone, password: {fromEnv: ECHO_PASSWORD}}
---
apiVersion: runai-sync/v1
kind: SeqeraCredential
metadata: {name: echoed-gh, workspaceId: 1001}
spec:
  provider: github
  keys: {username: ci-bot, password: {fromEnv: ECHO_GITHUB_TOKEN}}
`

// TestEchoingServerLeaksNothing sends a create, a login and a Seqera
// request to a server that answers with the request, body and headers in
// its error, with every error status the APIs use and as JSON and text: the output
// (with -v, as JSON too) must hold no secret, the access token included.
func TestEchoingServerLeaksNothing(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(echoManifests), 0o600); err != nil {
		t.Fatal(err)
	}
	targets := map[string]func(*http.Request) bool{
		"create": func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v1/asset/credentials")
		},
		"login":  func(r *http.Request) bool { return r.URL.Path == "/api/v1/token" },
		"seqera": func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/api/credentials" },
	}
	for _, target := range []string{"create", "login", "seqera"} {
		for _, status := range []int{400, 401, 403, 404, 409, 412, 422, 500, 503} {
			for _, asJSON := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%d/json=%v", target, status, asJSON), func(t *testing.T) {
					emu := emulator.Start(t, emulator.Options{})
					srv := echoing(t, emu.URL, targets[target], status, asJSON)
					// Secrets unique to the run, so that no other test's
					// registration hides a leak.
					password := "echo-password-" + strings.ReplaceAll(t.Name(), "/", "-")
					ghToken := "ghp-echo-" + strings.ReplaceAll(t.Name(), "/", "-")
					vars := map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret,
						"TOWER_API_ENDPOINT": srv.URL + "/api", "TOWER_ACCESS_TOKEN": emu.SeqeraToken,
						"ECHO_PASSWORD": password, "ECHO_GITHUB_TOKEN": ghToken}
					for _, out := range []string{"text", "json"} {
						env, stdout, stderr := cliEnv(vars)
						args := []string{"-v", "apply", "--url", srv.URL, "--state", "none", "-f", dir, "--yes", "--max-attempts", "1"}
						if out == "json" {
							args = []string{"-v", "plan", "-o", "json", "--url", srv.URL, "--state", "none", "-f", dir, "--max-attempts", "1"}
						}
						code := run(context.Background(), args, env)
						all := stdout.String() + stderr.String()
						if target != "login" && out == "json" {
							continue // plan sends no create
						}
						if code != 1 {
							t.Fatalf("%s exited %d, want 1 (the echoing server refused):\n%s", args[1], code, all)
						}
						// A text reply is shown by its status alone; a JSON one
						// by its message, scrubbed.
						if asJSON && !strings.Contains(all, "bad request body") {
							t.Errorf("the output does not quote the echo; did the request reach the echoing server?\n%s", all)
						}
						if asJSON && !strings.Contains(all, "(sensitive)") {
							t.Errorf("the output shows no scrubbed echo; did the request reach the echoing server?\n%s", all)
						}
						secrets := append(emu.Server.IssuedSecrets(), password, ghToken, emu.ClientSecret, emu.SeqeraToken)
						for _, s := range secrets {
							if s != "" && strings.Contains(all, s) {
								t.Fatalf("a secret shows in the output of %s:\n%s", args[1], all)
							}
						}
					}
				})
			}
		}
	}
}
