package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/runai-sync/runai-sync/emulator"
)

// actionStep is a step of action.yml.
type actionStep struct {
	Name string            `json:"name"`
	ID   string            `json:"id"`
	If   string            `json:"if"`
	Uses string            `json:"uses"`
	Run  string            `json:"run"`
	Env  map[string]string `json:"env"`
}

func loadAction(t *testing.T) map[string]actionStep {
	t.Helper()
	raw, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Runs struct {
			Using string       `json:"using"`
			Steps []actionStep `json:"steps"`
		} `json:"runs"`
	}
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q, want composite", a.Runs.Using)
	}
	steps := map[string]actionStep{}
	for _, s := range a.Runs.Steps {
		steps[s.Name] = s
	}
	return steps
}

// goBuild builds a package of this module into dir. It builds as the
// Dockerfile does (CGO_ENABLED=0, -trimpath), the settings make test vets
// with, so a cold run finds every package compiled and only links.
func goBuild(t *testing.T, out, pkg string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// runStep runs a step's script as GitHub Actions does (bash -e, pipefail),
// with env added to the test's environment.
func runStep(t *testing.T, s actionStep, env map[string]string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// TestActionPostsRefusedPlansAndKeepsOneComment runs the action's plan and
// comment steps with the real runai-sync against the emulator and a fake
// GitHub API: a refused plan is posted, the next run updates the same
// comment, and the action fails on the refusal only.
func TestActionPostsRefusedPlansAndKeepsOneComment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds runai-sync")
	}
	steps := loadAction(t)
	plan, comment, fail := steps["Plan"], steps["Comment on the pull request"], steps["Fail on a refused or failed plan"]
	if plan.Run == "" || comment.Run == "" || fail.Run == "" {
		t.Fatalf("action.yml lacks a step: %v", steps)
	}
	if !strings.Contains(comment.If, "always()") || strings.Contains(comment.If, "success()") {
		t.Errorf("the comment step runs only on success (if: %s): a refused plan would not be posted", comment.If)
	}

	bin, temp := t.TempDir(), t.TempDir()
	goBuild(t, filepath.Join(bin, "runai-sync"), "../../cmd/runai-sync")
	goBuild(t, filepath.Join(temp, "runai-sync-prcomment"), ".")

	// A live credential inside the Ownership, in use by a workload: --prune
	// would delete it, and the in-use guard refuses.
	emu := emulator.Start(t, emulator.Options{})
	id, err := createPassword(emu, "stale")
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Server.MarkInUse(id, emulator.Workload{Type: "workspaces", Name: "notebook-7", Status: "Running"}); err != nil {
		t.Fatal(err)
	}
	manifests := t.TempDir()
	writeFile(t, filepath.Join(manifests, "m.yaml"), `apiVersion: runai-sync/v1
kind: Ownership
metadata: {name: team-a}
spec:
  credentials: [{scope: project, projectId: 12}]
---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: keep, scope: project, projectId: 12}
spec: {type: password, existingSecretName: keep}
`)
	f, gh := newFakeGitHub(t)
	f.add(7, "first!")
	base := map[string]string{
		"PATH":           bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"RUNNER_TEMP":    temp,
		"RUNAI_BASE_URL": emu.URL, "RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret,
		"RUNAI_SYNC_STATE": "none", "GITHUB_STEP_SUMMARY": filepath.Join(temp, "summary.md"),
		"GITHUB_REPOSITORY": "acme/tenants", "GITHUB_API_URL": gh.URL, "GITHUB_TOKEN": "ghs_test-token",
		"INPUT_MANIFESTS": manifests, "PR_NUMBER": "7", "MARKER": "", "AUTHOR": "github-actions[bot]",
	}
	step := func(args string) (string, string) {
		env := map[string]string{"INPUT_ARGS": args, "GITHUB_OUTPUT": filepath.Join(temp, "output")}
		for k, v := range base {
			env[k] = v
		}
		writeFile(t, env["GITHUB_OUTPUT"], "")
		out, code := runStep(t, plan, env)
		if code != 0 {
			t.Fatalf("the plan step failed (%d): it must record the exit status, not fail:\n%s", code, out)
		}
		raw, _ := os.ReadFile(env["GITHUB_OUTPUT"])
		exit, _ := strings.CutPrefix(strings.TrimSpace(string(raw)), "exit-code=")
		env["EXIT_CODE"] = exit
		out, code = runStep(t, comment, env)
		if code != 0 {
			t.Fatalf("the comment step failed (%d):\n%s", code, out)
		}
		return exit, out
	}

	exit, out := step("--prune")
	if exit != "1" || !strings.HasPrefix(out, "created comment ") {
		t.Fatalf("refused plan: exit %q, comment step said %q", exit, out)
	}
	ours := f.ours(7)
	if len(ours) != 1 || !strings.Contains(ours[0].Body, "**Refused**") || !strings.Contains(ours[0].Body, "in use by workspace notebook-7") ||
		!strings.Contains(ours[0].Body, "the plan is refused by 2 guards") {
		t.Fatalf("the refused plan's comment (%d of ours): %s", len(ours), ours[0].Body)
	}
	if _, code := runStep(t, fail, nil); code != 1 {
		t.Errorf("the fail step exited %d on a refused plan, want 1", code)
	}
	first := ours[0].ID

	exit, out = step("--prune --force --allow-mass-delete")
	if exit != "2" || !strings.HasPrefix(out, "updated comment ") {
		t.Fatalf("forced plan: exit %q, comment step said %q", exit, out)
	}
	ours = f.ours(7)
	if len(ours) != 1 || ours[0].ID != first || strings.Contains(ours[0].Body, "**Refused**") || !strings.Contains(ours[0].Body, "`stale`") {
		t.Fatalf("the second run did not update comment %d: %+v", first, ours)
	}
	if n := len(f.comments[7]); n != 2 {
		t.Errorf("%d comments on the pull request, want 2 (another's and ours)", n)
	}
	for _, c := range f.comments[7] {
		if strings.Contains(c.Body, emu.ClientSecret) {
			t.Error("a comment holds the client secret")
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// createPassword creates a password credential in project 12 through the
// emulator's API, as someone working by hand would.
func createPassword(emu *emulator.Instance, name string) (string, error) {
	tok, err := emuLogin(emu)
	if err != nil {
		return "", err
	}
	body := `{"meta":{"name":"` + name + `","scope":"project","projectId":12},"spec":{"existingSecretName":"s"}}`
	req, _ := http.NewRequest("POST", emu.URL+"/api/v1/asset/credentials/password", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	var created struct {
		Meta struct {
			ID string `json:"id"`
		} `json:"meta"`
	}
	return created.Meta.ID, doJSON(req, &created)
}
