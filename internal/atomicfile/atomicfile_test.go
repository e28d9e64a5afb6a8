package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWrite: the file gets the data and the mode asked, also over an
// existing file with wider permissions; no temporary file stays.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new" {
		t.Fatalf("content %q, %v", b, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".*")); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}

// TestFailedWriteChangesNothing: a failure just before the rename (a crash
// there) leaves the old content and removes the temporary file.
func TestFailedWriteChangesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	var tmp string
	BeforeRename = func(p string) error { tmp = p; return errors.New("simulated crash") }
	defer func() { BeforeRename = nil }()
	if err := Write(path, []byte("new"), 0o600); err == nil || err.Error() != "simulated crash" {
		t.Fatalf("Write = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("content %q after a failed write", b)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file %s: %v", tmp, err)
	}
}

// TestErrorsNameNoTemporaryFile: a directory that does not exist fails the
// write with an error naming the directory, not a random file name.
func TestErrorsNameNoTemporaryFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	err := Write(filepath.Join(dir, "x"), []byte("v"), 0o600)
	if err == nil || !strings.HasPrefix(err.Error(), "create a temporary file in "+dir+"/: ") || strings.Contains(err.Error(), ".tmp-") {
		t.Errorf("Write = %v", err)
	}
}

// TestRemoveStale removes old temporary files only.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	old, fresh := filepath.Join(dir, ".state.json.tmp-1"), filepath.Join(dir, ".state.json.tmp-2")
	for _, n := range []string{old, fresh} {
		if err := os.WriteFile(n, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	RemoveStale(path, time.Minute)
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old temporary file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a write in progress was removed: %v", err)
	}
}

// TestWriteRemovesWhatADeadWriterLeft: a writer killed before its rename
// leaves a temporary file (with a secret file's content, say); the next
// Write removes it at once when its process is gone, and leaves the fresh
// temporary files of running processes alone.
func TestWriteRemovesWhatADeadWriterLeft(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid // exited and reaped
	dir := t.TempDir()
	path := filepath.Join(dir, "ci.json")
	left := filepath.Join(dir, fmt.Sprintf(".ci.json.tmp-%d-123", dead))
	running := filepath.Join(dir, ".ci.json.tmp-1-456") // pid 1 always runs
	own := filepath.Join(dir, fmt.Sprintf(".ci.json.tmp-%d-789", os.Getpid()))
	for _, n := range []string{left, running, own} {
		if err := os.WriteFile(n, []byte("a stranded secret"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead writer's temporary file is still there: %v", err)
	}
	for _, n := range []string{running, own} {
		if _, err := os.Stat(n); err != nil {
			t.Errorf("a running writer's temporary file was removed: %v", err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("%d entries, want ci.json and the two running writers' files", len(entries))
	}
}
