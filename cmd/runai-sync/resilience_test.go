package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// faultyAttempts is the retry budget of the runs against an API that
// fails up to 37% of the tries of a create (30% 503 and 10% of the rest
// lost): with the default 8 tries one request in about 3,000 gives up,
// which fails one run of 100 creates in 30; with 16, one in 8 million.
// The emulator's faults are independent draws, so only the budget, not the
// handling, decides whether a run converges.
var faultyAttempts = []string{"--max-attempts", "16"}

// attemptLine is a -v log line of one HTTP attempt.
var attemptLine = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE) /\S+ -> (\d{3}|error: .+) \(attempt \d+, [^;)]+(; .+)?\)$`)

// lastLines is the end of a command's output, for a failure message.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
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
	// -v logs every attempt from ten goroutines at once: the race detector
	// checks that the log lines do not tear.
	args := append([]string{"-v", "apply", "--url", emu.URL, "--state", stateFile, "-f", dir, "--yes", "--parallelism", "10"}, faultyAttempts...)
	if code := run(context.Background(), args, env); code != 0 {
		t.Fatalf("apply exited %d:\n%s\n%s", code, lastLines(stdout.String(), 8), lastLines(stderr.String(), 12))
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !attemptLine.MatchString(line) {
			t.Fatalf("a torn or unexpected log line: %q", line)
		}
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

// writeMixed writes accounts service accounts, a generic secret holding
// each one's credentials, and plain credentials, to reach n resources.
func writeMixed(t testing.TB, dir string, n, accounts int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: mixed}\nspec:\n  credentials: [{scope: project, projectId: 7}]\n  serviceAccounts: {names: [\"ci-*\"]}\n")
	for i := range accounts {
		fmt.Fprintf(&b, "---\napiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-%03d}\n", i)
		fmt.Fprintf(&b, "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: login-%03d, scope: project, projectId: 7}\n"+
			"spec:\n  type: genericSecret\n  keyValuePairs:\n    ID: {fromServiceAccount: {name: ci-%03d, field: clientId}}\n    SECRET: {fromServiceAccount: {name: ci-%03d, field: clientSecret}}\n", i, i, i)
	}
	for i := range n - 2*accounts {
		fmt.Fprintf(&b, "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: cred-%04d, scope: project, projectId: 7}\n"+
			"spec: {type: password, user: user-%d, password: {fromEnv: SECRET_VALUE}}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "mixed.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestApplyOf300ConvergesUnderFaults: 300 resources (accounts, the generic
// secrets holding their credentials, and credentials) against an API
// answering 20% of requests 503, losing 10% of the replies to changes and
// allowing 50 requests a second converge in one apply, without a duplicate,
// with every delivered secret working, and an empty next plan.
func TestApplyOf300ConvergesUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: retries against a faulty, rate-limited API")
	}
	emu := emulator.Start(t, emulator.Options{FailRate: 0.2, LostRate: 0.1, RateLimit: 50, Seed: 23})
	dir := t.TempDir()
	writeMixed(t, dir, 300, 20)
	vars := map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret, "SECRET_VALUE": "mixed-secret-value"}
	state := filepath.Join(t.TempDir(), "state.json")
	env, stdout, stderr := cliEnv(vars)
	args := append([]string{"apply", "--url", emu.URL, "--state", state, "-f", dir, "--yes", "--parallelism", "10"}, faultyAttempts...)
	if code := run(context.Background(), args, env); code != 0 {
		t.Fatalf("apply exited %d:\n%s\n%s", code, lastLines(stdout.String(), 8), lastLines(stderr.String(), 12))
	}
	if !strings.Contains(stdout.String(), "300 created") {
		t.Fatalf("apply did not create 300:\n%s", stdout)
	}
	names := map[string]int{}
	for _, a := range emu.Server.Assets() {
		names[a.Name]++
	}
	if len(names) != 280 {
		t.Errorf("%d distinct credentials, want 280", len(names))
	}
	for n, c := range names {
		if c > 1 {
			t.Errorf("credential %s exists %d times", n, c)
		}
	}
	checkAccounts(t, emu, 20)
	env, stdout, stderr = cliEnv(vars)
	if code := run(context.Background(), []string{"plan", "--url", emu.URL, "--state", state, "-f", dir, "--prune", "--detailed-exitcode"}, env); code != 0 {
		t.Fatalf("the plan after apply is not empty (exit %d):\n%s\n%s", code, stdout, stderr)
	}
}

// checkAccounts logs in with the credentials each login-NNN generic secret
// holds: every account exists once and its delivered secret works.
func checkAccounts(t *testing.T, emu *emulator.Instance, n int) {
	t.Helper()
	for _, a := range emu.Server.Assets() {
		if !strings.HasPrefix(a.Name, "login-") {
			continue
		}
		vals, _ := emu.Server.StoredSecrets(a.ID)
		body := fmt.Sprintf(`{"grantType":"client_credentials","clientId":%q,"clientSecret":%q}`, vals["ID"], vals["SECRET"])
		resp, err := http.Post(emu.URL+"/api/v1/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// The emulator may answer a login 503 (its fault rate) or 429 (its
		// rate limit, which quick retries reach): try again, after a pause
		// for a 429.
		for tries := 0; (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests) && tries < 20; tries++ {
			if resp.StatusCode == http.StatusTooManyRequests {
				time.Sleep(time.Second)
			}
			resp, err = http.Post(emu.URL+"/api/v1/token", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s holds credentials that do not log in: %d", a.Name, resp.StatusCode)
		}
		n--
	}
	if n != 0 {
		t.Errorf("%d login secrets missing", n)
	}
}
