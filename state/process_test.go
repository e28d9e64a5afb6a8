package state

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of this file run a second process: the test binary itself, in
// a helper mode chosen by envHelper (see TestMain).
const (
	envHelper        = "RUNAI_SYNC_STATE_TEST_HELPER"
	envHelperSpec    = "RUNAI_SYNC_STATE_TEST_SPEC"
	envHelperCompact = "RUNAI_SYNC_STATE_TEST_COMPACT"
	envHelperFrom    = "RUNAI_SYNC_STATE_TEST_FROM"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(envHelper); mode != "" {
		if err := helper(mode, os.Getenv(envHelperSpec)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helper runs in the child process:
//
//	lock: take the lock, print "locked", hold it until stdin closes
//	put:  take the lock, then Put entries N, N+1, … (N from envHelperFrom)
//	      printing "ack N" after each Put returned, until killed
func helper(mode, spec string) error {
	ctx := context.Background()
	st, err := Open(spec, nil)
	if err != nil {
		return err
	}
	if fs, ok := st.(*fileStore); ok {
		if n, err := strconv.ParseInt(os.Getenv(envHelperCompact), 10, 64); err == nil {
			fs.compactMin = n
		}
	}
	host, _ := os.Hostname()
	unlock, err := st.Lock(ctx, testScope, Holder{Host: host, PID: os.Getpid(), Since: time.Now(), Command: "helper " + mode}, 30*time.Second)
	if err != nil {
		return err
	}
	switch mode {
	case "lock":
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		if err := unlock(); err != nil {
			return err
		}
		return st.Close()
	case "put":
		from, _ := strconv.Atoi(os.Getenv(envHelperFrom))
		for i := from; ; i++ {
			if err := st.Put(ctx, entry("e"+itoa(i), itoa(i))); err != nil {
				return err
			}
			fmt.Println("ack", i)
		}
	}
	return fmt.Errorf("unknown mode %q", mode)
}

// child is a helper process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

func startChild(t *testing.T, mode, spec string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, envHelper+"="+mode, envHelperSpec+"="+spec)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return c
}

// expect reads the child's next line and checks it.
func (c *child) expect(t *testing.T, want string) {
	t.Helper()
	if !c.out.Scan() {
		t.Fatalf("child ended before saying %q", want)
	}
	if got := c.out.Text(); got != want {
		t.Fatalf("child said %q, want %q", got, want)
	}
}

func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// Two processes contend for the lock; a holder that exits releases it, and
// one that is killed does not block forever (file: its pid is gone;
// PostgreSQL: its session ends).
func TestTwoProcessLock(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		c := startChild(t, "lock", spec)
		c.expect(t, "locked")
		st := mustOpen(t, spec)
		_, err := st.Lock(ctx, testScope, me("parent"), 500*time.Millisecond)
		var le *LockedError
		if !errors.As(err, &le) {
			t.Fatalf("Lock while the child holds it: %v", err)
		}
		if le.Holder.PID != c.cmd.Process.Pid || le.Holder.Command != "helper lock" {
			t.Fatalf("LockedError names %v, want the child (pid %d)", le.Holder, c.cmd.Process.Pid)
		}
		// The child releases it and exits.
		c.stdin.Close()
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
		unlock, err := st.Lock(ctx, testScope, me("parent"), 5*time.Second)
		if err != nil {
			t.Fatalf("Lock after the child released it: %v", err)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}

		// A child killed while it holds the lock.
		c = startChild(t, "lock", spec)
		c.expect(t, "locked")
		c.kill(t)
		n := notes(st)
		start := time.Now()
		unlock, err = st.Lock(ctx, testScope, me("parent"), 10*time.Second)
		if err != nil {
			t.Fatalf("Lock after the holder was killed: %v", err)
		}
		t.Logf("took the lock %v after its holder was killed; notes: %q", time.Since(start).Round(time.Millisecond), n.all())
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
	})
}

// A writer killed with SIGKILL at any moment loses no Put it was told had
// succeeded: the child Puts entry after entry (compacting often), the
// parent kills it at random moments, and every acknowledged entry must be
// there afterwards. Each round also takes over the lock of the killed
// child.
func TestKilledWriterLosesNothing(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		rounds := 6
		if b.name == "postgres" {
			rounds = 2
		}
		acked := -1
		for round := range rounds {
			c := startChild(t, "put", spec, envHelperCompact+"=2048", envHelperFrom+"="+itoa(acked+1))
			deadline := time.Now().Add(time.Duration(50+rand.IntN(150)) * time.Millisecond)
			for first := acked + 1; time.Now().Before(deadline) || acked < first; {
				if !c.out.Scan() {
					t.Fatalf("round %d: child ended", round)
				}
				n, err := strconv.Atoi(strings.TrimPrefix(c.out.Text(), "ack "))
				if err != nil {
					t.Fatalf("round %d: child said %q", round, c.out.Text())
				}
				acked = max(acked, n)
			}
			c.kill(t)
			d, err := mustOpen(t, spec).Load(ctx, testScope)
			if err != nil {
				t.Fatalf("round %d: Load after the kill: %v", round, err)
			}
			for i := 0; i <= acked; i++ {
				if got := d.Entries[key("e"+itoa(i))].ID; got != itoa(i) {
					t.Fatalf("round %d: acknowledged entry %d is lost (%d entries)", round, i, len(d.Entries))
				}
			}
			t.Logf("round %d: %d acknowledged entries kept, %d in the state", round, acked+1, len(d.Entries))
		}
	})
}
