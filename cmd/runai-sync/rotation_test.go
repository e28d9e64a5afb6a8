package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/emulator"
)

// The scenarios of a real tenant, whose deletes are asynchronous
// (emulator.Options.DeleteDelay): a rotation of every credential replaces
// each, and each must be absent for one delete plus one create only.

const routeCreatePassword = "POST /api/v1/asset/credentials/password"

// TestRotationWithAsynchronousDeletes rotates the secret of 100
// credentials on a tenant that takes a second to delete: one apply
// converges, no create meets 409, and no credential is absent longer than
// its delete (the delay, plus the polls that see it gone) and its create.
func TestRotationWithAsynchronousDeletes(t *testing.T) {
	const n, delay = 100, time.Second
	emu := emulator.Start(t, emulator.Options{DeleteDelay: delay})
	dir := t.TempDir()
	writeCredentials(t, dir, n)
	stateFile := filepath.Join(t.TempDir(), "state.json")
	vars := map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret, "SECRET_VALUE": "first-rotation-value"}
	apply := func(args ...string) string {
		t.Helper()
		env, stdout, stderr := cliEnv(vars)
		args = append([]string{"apply", "--url", emu.URL, "--state", stateFile, "-f", dir, "--yes"}, args...)
		if code := run(context.Background(), args, env); code != 0 {
			t.Fatalf("apply exited %d:\n%s\n%s", code, lastLines(stdout.String(), 8), lastLines(stderr.String(), 12))
		}
		if out := stdout.String() + stderr.String(); strings.Contains(out, vars["SECRET_VALUE"]) || strings.Contains(out, " 409 ") {
			t.Fatalf("the output shows a secret or a 409:\n%s", lastLines(out, 12))
		}
		return stdout.String()
	}
	apply()

	vars["SECRET_VALUE"] = "second-rotation-value"
	began := time.Now()
	out := apply("--parallelism", "100")
	took := time.Since(began)
	if !strings.Contains(out, "0 created, 0 updated, 100 replaced, 0 deleted") {
		t.Fatalf("the rotation did not replace the 100:\n%s", lastLines(out, 4))
	}
	if got := emu.Server.Counts()[routeCreatePassword]; got != 2*n {
		t.Errorf("%d creates, want %d: a create met a conflict and was tried again", got, 2*n)
	}
	absences := emu.Server.Absences()
	if len(absences) != n {
		t.Fatalf("%d names were deleted, want %d", len(absences), n)
	}
	// One delete (the delay and the last poll, at most 500ms) plus one
	// create. The race detector, and other test packages sharing two
	// cores, slow each request down: the bound grows with them, but stays
	// well under what deleting every credential before creating any would
	// give (the length of the whole apply, at lower parallelism).
	bound := delay + time.Second
	if raceEnabled {
		bound += 3 * time.Second
	}
	for _, a := range absences {
		if a.AbsentSince != nil || a.Gaps != 1 {
			t.Errorf("%s: %d gaps, absent now: %v; want one gap, present", a.Name, a.Gaps, a.AbsentSince != nil)
		}
		if a.Longest > bound {
			t.Errorf("%s was absent for %v, more than one delete plus one create (%v)", a.Name, a.Longest, bound)
		}
	}
	t.Logf("100 replaces in %v; longest absence %v", took, longest(absences))

	env, stdout, stderr := cliEnv(vars)
	if code := run(context.Background(), []string{"plan", "--url", emu.URL, "--state", stateFile, "-f", dir, "--prune", "--detailed-exitcode"}, env); code != 0 {
		t.Fatalf("the plan after the rotation is not empty (exit %d):\n%s\n%s", code, lastLines(stdout.String(), 10), stderr)
	}
}

func longest(as []emulator.Absence) time.Duration {
	var m time.Duration
	for _, a := range as {
		m = max(m, a.Longest)
	}
	return m
}

// rotationCLI runs the binary against emu with a state file, the secret
// value given, as a process of its own (to receive signals).
func rotationCLI(emu *emulator.Instance, state, secret string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"--url", emu.URL, "--state", state}, args...)...)
	cmd.Env = append(os.Environ(), "RUNAI_SYNC_TEST_RUN_MAIN=1", "RUNAI_CLIENT_ID="+emu.ClientID,
		"RUNAI_CLIENT_SECRET="+emu.ClientSecret, "SECRET_VALUE="+secret, "NO_COLOR=1")
	return cmd
}

// startRotation applies 60 credentials, then starts rotating them all in
// the background (4 at a time) and waits until deleteCount deletes went out.
func startRotation(t *testing.T, emu *emulator.Instance, dir, state string, deleteCount int) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	writeCredentials(t, dir, 60)
	if b, err := rotationCLI(emu, state, "before-rotation-value", "apply", "-f", dir, "--yes", "--parallelism", "30").CombinedOutput(); err != nil {
		t.Fatalf("the first apply failed: %v\n%s", err, b)
	}
	cmd := rotationCLI(emu, state, "after-rotation-value", "apply", "-f", dir, "--yes", "--parallelism", "4")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); emu.Server.Counts()["DELETE /api/v1/asset/credentials/password/{AssetId}"] < deleteCount; {
		if time.Now().After(deadline) {
			t.Fatalf("the rotation did not get going:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cmd, &out
}

// syncBuffer is a buffer the test reads while the process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// missing lists the credential names with no asset that is not being
// deleted.
func missing(emu *emulator.Instance, n int) []string {
	present := map[string]bool{}
	for _, a := range emu.Server.Assets() {
		if !a.Deleting {
			present[a.Name] = true
		}
	}
	var out []string
	for i := range n {
		if name := credName(i); !present[name] {
			out = append(out, name)
		}
	}
	return out
}

func credName(i int) string { return fmt.Sprintf("cred-%04d", i) }

// TestInterruptedRotation: a first SIGINT during a rotation on a tenant
// with asynchronous deletes starts no new replace and lets the started
// ones create their credential again: none is missing; a rerun converges.
func TestInterruptedRotation(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{DeleteDelay: 300 * time.Millisecond})
	dir, state := t.TempDir(), filepath.Join(t.TempDir(), "state.json")
	cmd, out := startRotation(t, emu, dir, state, 8)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
		t.Errorf("an interrupted apply should exit 1, got %d", code)
	}
	for _, want := range []string{"Interrupted: no new step starts", "Apply interrupted after", "not done: Credential password cred-"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, lastLines(out.String(), 12))
		}
	}
	if strings.Contains(out.String(), "half done") {
		t.Errorf("a replace was left half done:\n%s", lastLines(out.String(), 12))
	}
	if m := missing(emu, 60); len(m) > 0 {
		t.Errorf("%d credentials are missing after the interrupt: %v", len(m), m)
	}
	for _, a := range emu.Server.Absences() {
		if a.AbsentSince != nil {
			t.Errorf("%s is absent since the interrupt", a.Name)
		}
	}
	rerunConverges(t, emu, dir, state)
}

// TestSecondInterruptStopsAtOnce: a second SIGINT does not wait for the
// replaces in flight (here, deletes that take 3s); the rerun then creates
// what the hard stop left deleted, waiting for the names still being
// deleted, and converges.
func TestSecondInterruptStopsAtOnce(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{DeleteDelay: 3 * time.Second})
	dir, state := t.TempDir(), filepath.Join(t.TempDir(), "state.json")
	cmd, out := startRotation(t, emu, dir, state, 4)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "Interrupt again"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no word of the first interrupt:\n%s", out.String())
		}
	}
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	stopped := time.Since(sent)
	if bound := forceExitAfter; stopped > bound {
		t.Errorf("the second interrupt took %v to stop the apply, want less than %v", stopped, bound)
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "half done") {
		t.Errorf("the hard stop cut replaces short, but the report says nothing half done:\n%s", lastLines(out.String(), 12))
	}
	rerunConverges(t, emu, dir, state)
}

// rerunConverges applies again (with the rotated secret) and checks that
// the next plan is empty and every credential is there once.
func rerunConverges(t *testing.T, emu *emulator.Instance, dir, state string) {
	t.Helper()
	if b, err := rotationCLI(emu, state, "after-rotation-value", "apply", "-f", dir, "--yes", "--parallelism", "30").CombinedOutput(); err != nil {
		t.Fatalf("the rerun failed: %v\n%s", err, lastLines(string(b), 12))
	}
	if b, err := rotationCLI(emu, state, "after-rotation-value", "plan", "-f", dir, "--prune", "--detailed-exitcode").CombinedOutput(); err != nil {
		t.Fatalf("the plan after the rerun is not empty: %v\n%s", err, lastLines(string(b), 12))
	}
	if m := missing(emu, 60); len(m) > 0 {
		t.Errorf("missing after the rerun: %v", m)
	}
	live := 0
	for _, a := range emu.Server.Assets() {
		if !a.Deleting {
			live++
		}
	}
	if live != 60 {
		t.Errorf("%d live credentials after the rerun, want 60", live)
	}
}
