package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/emulator"
)

// TestInterruptedApply sends SIGINT (Ctrl-C) to an apply half-way: it must
// stop within a second, say what was done and what was not, exit 1, and the
// next apply must finish the job with an empty plan after it.
func TestInterruptedApply(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{Latency: 40 * time.Millisecond})
	dir := t.TempDir()
	writeCredentials(t, dir, 200)
	state := filepath.Join(t.TempDir(), "state.json")
	runCLI := func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], append([]string{"--url", emu.URL, "--state", state}, args...)...)
		cmd.Env = append(os.Environ(), "RUNAI_SYNC_TEST_RUN_MAIN=1", "RUNAI_CLIENT_ID="+emu.ClientID,
			"RUNAI_CLIENT_SECRET="+emu.ClientSecret, "SECRET_VALUE=interrupt-secret-value", "NO_COLOR=1")
		return cmd
	}

	cmd := runCLI("apply", "-f", dir, "--yes", "--parallelism", "4")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); emu.Server.Counts()["POST /api/v1/asset/credentials/password"] < 40; {
		if time.Now().After(deadline) {
			t.Fatalf("the apply did not get going:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	stopped := time.Since(sent)
	bound := time.Second
	if raceEnabled {
		bound *= 3 // the race detector slows the binary under test
	}
	t.Logf("stopped %v after SIGINT", stopped)
	if stopped > bound {
		t.Errorf("the apply took %v to stop after SIGINT, want at most %v", stopped, bound)
	}
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
		t.Errorf("an interrupted apply should exit 1, got %d", code)
	}
	for _, want := range []string{"Apply interrupted after", "changes done.", "not done: Credential password cred-"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	done := len(emu.Server.Assets())
	if done == 0 || done >= 200 {
		t.Fatalf("%d credentials exist after the interrupt: the test did not stop it half-way", done)
	}

	again := runCLI("apply", "-f", dir, "--yes")
	if b, err := again.CombinedOutput(); err != nil {
		t.Fatalf("the next apply failed: %v\n%s", err, b)
	}
	plan := runCLI("plan", "-f", dir, "--prune", "--detailed-exitcode")
	if b, err := plan.CombinedOutput(); err != nil {
		t.Fatalf("the plan after the rerun is not empty: %v\n%s", err, b)
	}
	names := map[string]bool{}
	for _, a := range emu.Server.Assets() {
		if names[a.Name] {
			t.Errorf("credential %s exists twice", a.Name)
		}
		names[a.Name] = true
	}
	if len(names) != 200 {
		t.Errorf("%d credentials after the rerun, want 200", len(names))
	}
}
