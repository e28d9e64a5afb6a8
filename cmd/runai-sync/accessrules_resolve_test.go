package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
)

const rolesRoute = "GET /api/v1/authorization/roles"

// rulesCLI writes m.yaml and returns a function that runs the CLI against
// emu in-process, with its exit code and everything it printed; out, if
// not nil, also receives its standard output alone.
func rulesCLI(t *testing.T, emu *emulator.Instance, manifest string) (m string, cli func(args ...string) (int, string)) {
	return rulesCLIOut(t, emu, manifest, nil)
}

func rulesCLIOut(t *testing.T, emu *emulator.Instance, manifest string, out *string) (m string, cli func(args ...string) (int, string)) {
	t.Helper()
	dir := t.TempDir()
	m = filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(m, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret}
	return m, func(args ...string) (int, string) {
		env, stdout, stderr := cliEnv(vars)
		code := run(context.Background(), append([]string{"--url", emu.URL, "--state", filepath.Join(dir, "state.json")}, args...), env)
		if out != nil {
			*out = stdout.String()
		}
		return code, stdout.String() + stderr.String()
	}
}

// TestUnknownRolesAndScopesOfAccessRules: plan, apply and drift refuse
// access rules whose role or scope the tenant does not have, before any
// change, each problem at its FILE:LINE:COL with the nearest name; the
// roles are read once a run.
func TestUnknownRolesAndScopesOfAccessRules(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{})
	if !strings.Contains(strings.Join(emu.Server.Routes(), "\n"), rolesRoute) {
		t.Fatalf("the emulator has no route %q", rolesRoute)
	}
	m, cli := rulesCLI(t, emu, `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci-rules}
spec:
  accessRules:
    - {role: ML enginer, scope: project, project: team-a}
    - {role: Viewer, scope: project, project: team-c}
    - {role: viewer, scope: department, departmentId: "2"}
    - {role: Viewer, scope: tenant}
`)
	want := []string{
		m + `:6:14: spec.accessRules[0].role: role "ML enginer" does not exist; did you mean "ML engineer"?`,
		m + `:7:47: spec.accessRules[1].project: project "team-c" does not exist; did you mean "team-a"?`,
		m + `:8:14: spec.accessRules[2].role: role "viewer" does not exist; did you mean "Viewer"?`,
		"3 errors resolving projects, departments, clusters and roles; nothing was changed",
	}
	for _, cmd := range [][]string{{"plan"}, {"apply", "--yes"}, {"drift"}} {
		emu.Server.ResetCounts()
		code, out := cli(append(cmd, "-f", m)...)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s", cmd[0], code, out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", cmd[0], w, out)
			}
		}
		if n := mutating(emu); n != 0 {
			t.Errorf("%s: %d mutating requests: %v", cmd[0], n, emu.Server.Counts())
		}
		if n := emu.Server.Counts()[rolesRoute]; n != 1 {
			t.Errorf("%s: the roles were read %d times, want once", cmd[0], n)
		}
	}
}

// TestRolesReadOnlyForAccessRules: a set whose accounts list known roles
// plans (reading the roles once); a set without access rules never reads
// them.
func TestRolesReadOnlyForAccessRules(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{})
	m, cli := rulesCLI(t, emu, `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci-rules}
spec:
  accessRules:
    - {role: ML engineer, scope: project, project: team-a}
    - {role: Viewer, scope: tenant}
`)
	if code, out := cli("plan", "-f", m); code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	if n := emu.Server.Counts()[rolesRoute]; n != 1 {
		t.Errorf("the roles were read %d times, want once", n)
	}
	emu.Server.ResetCounts()
	m, cli = rulesCLI(t, emu, "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-plain}\n")
	if code, out := cli("plan", "-f", m); code != 0 {
		t.Fatalf("plan without rules: exit %d\n%s", code, out)
	}
	if n := emu.Server.Counts()[rolesRoute]; n != 0 {
		t.Errorf("without access rules the roles were read %d times, want never", n)
	}
}
