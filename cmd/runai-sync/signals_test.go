package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalsAlwaysInterrupt: a run blocked where no context reaches (a read
// of standard input that never ends) still stops on SIGINT or SIGTERM,
// within forceExitAfter, with exit status 1.
func TestSignalsAlwaysInterrupt(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "validate", "-f", "-")
			cmd.Env = append(os.Environ(), "RUNAI_SYNC_TEST_RUN_MAIN=1")
			stdin, err := cmd.StdinPipe() // kept open: the read never ends
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var out syncBuffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// More than a pipe holds: the write ends only once the process
			// reads, so it is past its start (and watching signals).
			reading := make(chan error, 1)
			go func() {
				_, err := stdin.Write(bytes.Repeat([]byte("# padding\n"), 10000))
				reading <- err
			}()
			select {
			case err := <-reading:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("the process never read its input:\n%s", out.String())
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			bound := forceExitAfter + 2*time.Second
			select {
			case <-done:
			case <-time.After(bound):
				_ = cmd.Process.Kill()
				t.Fatalf("still running %v after %v:\n%s", bound, sig, out.String())
			}
			t.Logf("stopped %v after %v", time.Since(sent).Round(time.Millisecond), sig)
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit status %d, want 1:\n%s", code, out.String())
			}
			if !strings.Contains(out.String(), "exiting") && !strings.Contains(out.String(), "Error") {
				t.Errorf("nothing said about the stop:\n%s", out.String())
			}
		})
	}
}
