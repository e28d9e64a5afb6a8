package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
)

// TestStateOfVersion1IsClaimedByItsTenant: a state file written before
// records were keyed by tenant keeps working for the tenant that wrote it
// (its secrets are still compared, and apply moves the records to the
// tenant), while another tenant with objects of the same names never reads
// those records.
func TestStateOfVersion1IsClaimedByItsTenant(t *testing.T) {
	a, b := emulator.Start(t, emulator.Options{}), emulator.Start(t, emulator.Options{})
	dir := t.TempDir()
	writeCredentials(t, dir, 3)
	stateFile := filepath.Join(t.TempDir(), "state.json")
	run1 := func(emu *emulator.Instance, secret string, args ...string) (int, string) {
		t.Helper()
		vars := map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret, "SECRET_VALUE": secret}
		env, stdout, stderr := cliEnv(vars)
		args = append(append([]string{}, args...), "--url", emu.URL, "--state", stateFile, "-f", dir)
		code := run(context.Background(), args, env)
		return code, stdout.String() + stderr.String()
	}
	for _, emu := range []*emulator.Instance{a, b} {
		if code, out := run1(emu, "first-secret-value", "apply", "--yes"); code != 0 {
			t.Fatalf("apply: %d\n%s", code, out)
		}
	}
	// Turn the file into what an older runai-sync wrote: version 1, no
	// tenants, and only tenant A's records (B's records were written over).
	b1, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(b1, &snap); err != nil {
		t.Fatal(err)
	}
	var old []any
	for _, e := range snap["entries"].([]any) {
		m := e.(map[string]any)
		if m["tenant"] == strings.TrimRight(a.URL, "/") {
			delete(m, "tenant")
			old = append(old, m)
		}
	}
	if len(old) != 3 {
		t.Fatalf("%d records of tenant A, want 3", len(old))
	}
	snap["entries"], snap["formatVersion"] = old, 1
	b1, _ = json.Marshal(snap)
	if err := os.WriteFile(stateFile, b1, 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(stateFile + ".journal")

	// A: the old records are A's (same ids): a changed secret is seen.
	if code, out := run1(a, "first-secret-value", "plan", "--detailed-exitcode"); code != 0 || strings.Contains(out, "not verified") {
		t.Fatalf("plan of A on the old state: %d\n%s", code, out)
	}
	if code, out := run1(a, "second-secret-value", "plan", "--detailed-exitcode"); code != 2 || !strings.Contains(out, "secret value changed") {
		t.Fatalf("plan of A with a changed secret: %d\n%s", code, out)
	}
	// B: the old records are not B's: its objects are adopted, never
	// compared with A's fingerprints.
	if code, out := run1(b, "other-secret-value", "plan", "--detailed-exitcode"); code != 0 || !strings.Contains(out, "secret not verified for 3 existing objects") {
		t.Fatalf("plan of B on A's old state: %d\n%s", code, out)
	}
	// Apply on A (nothing to change) moves the records to A.
	if code, out := run1(a, "first-secret-value", "apply", "--yes"); code != 0 || !strings.Contains(out, "Nothing to apply") {
		t.Fatalf("apply of A: %d\n%s", code, out)
	}
	env, stdout, _ := cliEnv(nil)
	code := run(context.Background(), []string{"state", "list", "--state", stateFile}, env)
	out := stdout.String()
	if code != 0 || strings.Contains(out, "(unclaimed)") || strings.Count(out, strings.TrimRight(a.URL, "/")+" ") != 3 || !strings.Contains(out, "3 entries") {
		t.Fatalf("state list after A's apply: %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(stateFile); !strings.Contains(string(b), `"formatVersion": 2`) {
		t.Fatalf("the state was not upgraded:\n%s", b)
	}
}
