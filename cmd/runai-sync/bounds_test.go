package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/emulator"
)

// TestHangingTokenEndpointIsBounded logs in against a token endpoint that
// never answers: with --timeout 1s --max-attempts 2, plan must fail within
// 1s × 2 plus a second, after two attempts, not retry forever.
func TestHangingTokenEndpointIsBounded(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{})
	stop := make(chan struct{})
	var logins atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/token" {
			logins.Add(1)
			select {
			case <-stop:
			case <-r.Context().Done():
			}
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	defer close(stop)
	dir := t.TempDir()
	writeCredentials(t, dir, 1)
	env, stdout, stderr := cliEnv(map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret, "SECRET_VALUE": "hanging-login-secret"})
	start := time.Now()
	code := run(context.Background(), []string{"plan", "--url", srv.URL, "--state", "none", "-f", dir, "--timeout", "1s", "--max-attempts", "2"}, env)
	took := time.Since(start)
	if code != 1 {
		t.Fatalf("plan exited %d, want 1:\n%s%s", code, stdout, stderr)
	}
	if took > 3*time.Second {
		t.Fatalf("plan took %v against a token endpoint that never answers; the bound is 3s", took)
	}
	if n := logins.Load(); n != 2 {
		t.Errorf("%d login attempts, want 2 (--max-attempts)", n)
	}
	if !strings.Contains(stderr.String(), "log in to Run:ai") || !strings.Contains(stderr.String(), "Timeout") {
		t.Errorf("the error does not say the login timed out:\n%s", stderr)
	}
}

// TestPlainHTTPRefused refuses a plain http:// URL of a host that is not
// loopback, for Run:ai and Seqera, before sending anything; --insecure-http
// allows it.
func TestPlainHTTPRefused(t *testing.T) {
	dir := t.TempDir()
	seqeraDoc := "apiVersion: runai-sync/v1\nkind: SeqeraCredential\nmetadata: {name: gh, workspaceId: 1001}\nspec: {provider: github, keys: {username: u, password: {fromEnv: SECRET_VALUE}}}\n"
	if err := os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(seqeraDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	runaiDir := t.TempDir()
	writeCredentials(t, runaiDir, 1)
	vars := map[string]string{"RUNAI_CLIENT_ID": "id", "RUNAI_CLIENT_SECRET": "plain-http-secret", "SECRET_VALUE": "plain-http-value",
		"TOWER_API_ENDPOINT": "http://seqera.invalid/api", "TOWER_ACCESS_TOKEN": "plain-http-token"}
	for _, tc := range []struct{ name, dir, want string }{
		{"runai", runaiDir, "http://runai.invalid is plain http://"},
		{"seqera", dir, "http://seqera.invalid/api is plain http://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, stdout, stderr := cliEnv(vars)
			code := run(context.Background(), []string{"plan", "--url", "http://runai.invalid", "--state", "none", "-f", tc.dir}, env)
			if code != 1 || !strings.Contains(stderr.String(), tc.want) || !strings.Contains(stderr.String(), "--insecure-http") {
				t.Fatalf("exit %d, want 1 and an error saying %q and --insecure-http:\n%s%s", code, tc.want, stdout, stderr)
			}
			// Allowed, it goes on to the network (and fails there: .invalid
			// never resolves).
			env, _, stderr = cliEnv(vars)
			code = run(context.Background(), []string{"plan", "--insecure-http", "--url", "http://runai.invalid", "--state", "none", "-f", tc.dir, "--max-attempts", "1"}, env)
			if code != 1 || strings.Contains(stderr.String(), "is plain http://") {
				t.Fatalf("with --insecure-http: exit %d:\n%s", code, stderr)
			}
		})
	}
}
