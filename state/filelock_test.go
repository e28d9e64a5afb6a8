package state

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deadPID returns the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// writeLock puts a lock file in place as another holder would.
func writeLock(t *testing.T, path string, rec lockRecord) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if rec.Token == "" {
		rec.Token = newToken()
	}
	if err := createLockFile(path+lockSuffix, rec); err != nil {
		t.Fatal(err)
	}
}

func TestFileLockHolders(t *testing.T) {
	ctx := context.Background()
	self := me("test")
	ticks, _ := procStartTicks(os.Getpid())
	here := func(pid int) lockRecord {
		h := self
		h.PID, h.Command = pid, "runai-sync apply (old)"
		h.Since = time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
		return lockRecord{Holder: h, BootID: bootID(), PIDNamespace: pidNamespace()}
	}
	linux := bootID() != "" && pidNamespace() != ""
	for _, tc := range []struct {
		name     string
		rec      func(t *testing.T) lockRecord
		unlock   bool
		stale    string // takeover note, when taken over
		requires bool   // needs /proc
	}{
		{name: "dead pid on this host", stale: "is no longer running", rec: func(t *testing.T) lockRecord { return here(deadPID(t)) }},
		{name: "this host restarted", stale: "has restarted since", requires: true, rec: func(t *testing.T) lockRecord {
			r := here(os.Getppid())
			r.BootID = "another-boot"
			return r
		}},
		{name: "pid now another process", stale: "is now another process", requires: true, rec: func(t *testing.T) lockRecord {
			r := here(os.Getppid())
			r.StartTicks = 1
			return r
		}},
		{name: "this pid, but an earlier process", stale: "holds no such lock", requires: true, rec: func(t *testing.T) lockRecord {
			r := here(os.Getpid())
			r.StartTicks = ticks
			return r
		}},
		{name: "live pid on this host", rec: func(t *testing.T) lockRecord { return here(os.Getppid()) }},
		{name: "dead pid on another host", rec: func(t *testing.T) lockRecord {
			r := here(deadPID(t))
			r.Host = "ci-runner-7"
			return r
		}},
		{name: "dead pid in another pid namespace", requires: true, rec: func(t *testing.T) lockRecord {
			r := here(deadPID(t))
			r.PIDNamespace = "pid:[1]"
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.requires && !linux {
				t.Skip("needs /proc")
			}
			path := fileState(t)
			rec := tc.rec(t)
			writeLock(t, path, rec)
			st := openFile(t, path)
			n := notes(st)
			unlock, err := st.Lock(ctx, testScope, self, 300*time.Millisecond)
			if tc.stale == "" {
				var le *LockedError
				if !errors.As(err, &le) {
					t.Fatalf("Lock: %v, want a *LockedError", err)
				}
				if le.Holder.PID != rec.PID || le.Holder.Host != rec.Host || !le.Holder.Since.Equal(rec.Since) {
					t.Fatalf("LockedError names %v, want %v", le.Holder, rec.Holder)
				}
				if !strings.Contains(le.Error(), "runai-sync state unlock") {
					t.Errorf("%q does not say how to unlock", le.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("Lock over a stale holder: %v", err)
			}
			defer unlock()
			msgs := n.all()
			if len(msgs) != 1 || !strings.Contains(msgs[0], "took over the lock of pid "+itoa(rec.PID)) || !strings.Contains(msgs[0], tc.stale) {
				t.Fatalf("notes: %q, want one saying the lock was taken over because %q", msgs, tc.stale)
			}
			if cur, _ := readLockFile(path + lockSuffix); cur.PID != self.PID || cur.Command != self.Command {
				t.Fatalf("lock file holds %v after the takeover", cur.Holder)
			}
			if left, _ := filepath.Glob(path + ".lock.*"); len(left) != 0 {
				t.Fatalf("left behind: %v", left)
			}
		})
	}
}

func TestFileLockUnreadable(t *testing.T) {
	path := fileState(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+lockSuffix, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := openFile(t, path)
	var le *LockedError
	if _, err := st.Lock(context.Background(), testScope, me("x"), 0); !errors.As(err, &le) || !strings.Contains(err.Error(), "unreadable lock file") {
		t.Fatalf("Lock: %v", err)
	}
	was, err := st.ForceUnlock(context.Background())
	if err != nil || len(was) != 1 || !strings.Contains(was[0].Command, "unreadable") {
		t.Fatalf("ForceUnlock: %v, %v", was, err)
	}
	unlock, err := st.Lock(context.Background(), testScope, me("x"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + lockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after unlock: %v", err)
	}
}

func TestFileCloseReleasesTheLock(t *testing.T) {
	path := fileState(t)
	st := openFile(t, path)
	if _, err := st.Lock(context.Background(), testScope, me("x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Lock(context.Background(), testScope, me("x"), 0); err == nil || !strings.Contains(err.Error(), "already holds") {
		t.Fatalf("a second Lock by the same store: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + lockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after Close: %v", err)
	}
}
