package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
)

// TestExportWritesAccessRules: export writes the rules of a service account
// into its spec.accessRules, scopes by name (by id with --ids), roles by
// name; the exported set plans to nothing either way.
func TestExportWritesAccessRules(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{})
	var stdout string
	m, cli := rulesCLIOut(t, emu, `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci-rules}
spec:
  accessRules:
    - {role: ML engineer, scope: project, project: team-a}
    - {role: Viewer, scope: department, departmentId: "2"}
    - {role: Viewer, scope: tenant}
`, &stdout)
	if code, out := cli("apply", "-f", m, "--yes"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, `
  name: ci-rules
spec:
  accessRules:
    - {role: ML engineer, scope: project, project: team-a}
    - {role: Viewer, scope: department, department: research}
    - {role: Viewer, scope: tenant}
`},
		{[]string{"--ids"}, `
  name: ci-rules
spec:
  accessRules:
    - {role: ML engineer, scope: project, projectId: 12}
    - {role: Viewer, scope: department, departmentId: "2"}
    - {role: Viewer, scope: tenant}
`},
	} {
		code, out := cli(append([]string{"export", "--kind", "ServiceAccount"}, tc.args...)...)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Fatalf("export %v: exit %d, want the rules%s\ngot:\n%s", tc.args, code, tc.want, out)
		}
		exported := filepath.Join(t.TempDir(), "exported.yaml")
		if err := os.WriteFile(exported, []byte(stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out := cli("plan", "-f", exported, "--detailed-exitcode"); code != 0 {
			t.Errorf("plan of the export %v: exit %d, want 0 (nothing to do)\n%s", tc.args, code, out)
		}
	}
}
