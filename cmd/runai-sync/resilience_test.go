package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
)

// cliEnv runs the CLI in-process against an emulator, with the
// environment in vars.
func cliEnv(vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	return &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return vars[k] }, LookupEnv: lookup}, &stdout, &stderr
}

// writeCredentials writes n credential manifests (with secrets from the
// environment variable SECRET_VALUE) into dir, with an Ownership of project 7.
func writeCredentials(t testing.TB, dir string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: bench}\nspec:\n  credentials: [{scope: project, projectId: 7}]\n")
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: cred-%04d, scope: project, projectId: 7, description: credential %d}\n"+
			"spec: {type: password, user: user-%d, password: {fromEnv: SECRET_VALUE}}\n", i, i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "creds.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestApplyConvergesUnderFaults applies 100 credentials while the API
// answers 30% of requests 503, loses 10% of the replies to changes, and
// rate-limits: one apply must converge, without a duplicate, and the next
// plan must be empty.
func TestApplyConvergesUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: retries against a faulty API")
	}
	emu := emulator.Start(t, emulator.Options{FailRate: 0.3, LostRate: 0.1, RateLimit: 50, Seed: 11})
	dir := t.TempDir()
	writeCredentials(t, dir, 100)
	vars := map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret, "SECRET_VALUE": "faulty-api-secret-value"}

	env, stdout, stderr := cliEnv(vars)
	stateFile := filepath.Join(t.TempDir(), "state.json")
	if code := run(context.Background(), []string{"apply", "--url", emu.URL, "--state", stateFile, "-f", dir, "--yes", "--parallelism", "10"}, env); code != 0 {
		t.Fatalf("apply exited %d:\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "Apply complete") || !strings.Contains(stdout.String(), "100 created") {
		t.Fatalf("apply did not create 100:\n%s", stdout)
	}
	// A clean run costs a token, a list and 100 creates; faults must have
	// made the client retry.
	if n := emu.Server.TotalRequests(); n < 130 {
		t.Errorf("only %d requests: were faults injected at all?", n)
	}
	names := map[string]int{}
	for _, a := range emu.Server.Assets() {
		names[a.Name]++
	}
	if len(names) != 100 {
		t.Errorf("%d distinct credentials, want 100", len(names))
	}
	for n, c := range names {
		if c > 1 {
			t.Errorf("credential %s exists %d times", n, c)
		}
	}

	env, stdout, stderr = cliEnv(vars)
	if code := run(context.Background(), []string{"plan", "--url", emu.URL, "--state", stateFile, "-f", dir, "--prune", "--detailed-exitcode"}, env); code != 0 {
		t.Fatalf("the plan after apply is not empty (exit %d):\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout.String()+stderr.String(), vars["SECRET_VALUE"]) {
		t.Error("a secret value appears in the output")
	}
}
