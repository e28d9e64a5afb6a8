package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// BeforeRename, when set by a test, runs after the temporary file is
// written and synced and before it is renamed over the target; an error
// from it fails the write as a crash there would.
var BeforeRename func(tmp string) error

// Write replaces path with data, with permission bits perm: a temporary
// file in the same directory, fsync, rename over path, fsync of the
// directory. A failed write leaves path as it was and removes the
// temporary file. Errors say which step failed; they name neither the
// temporary file (a random name) nor, of course, the data.
//
// The temporary file's name holds the writer's process id
// (".NAME.tmp-PID-RANDOM"), so that the next Write of path removes what a
// writer that died (a crash, SIGKILL) left behind (a secret file's content,
// say) as soon as that process is gone; see RemoveStale.
func Write(path string, data []byte, perm fs.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc is Write of what write writes, through a buffer: a large file
// (the state of 10,000 objects) is never whole in memory. An error from
// write fails the write as one of the file's does.
func WriteFunc(path string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	RemoveStale(path, staleAge)
	f, err := os.CreateTemp(dir, "."+base+".tmp-"+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return fmt.Errorf("create a temporary file in %s: %w", dir, bare(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return bare(err)
	}
	buf := bufio.NewWriterSize(f, 64<<10)
	if err = write(buf); err != nil {
		return bare(err)
	}
	if err = buf.Flush(); err != nil {
		return bare(err)
	}
	if err = f.Sync(); err != nil {
		return bare(err)
	}
	if err = f.Close(); err != nil {
		return bare(err)
	}
	if BeforeRename != nil {
		if err = BeforeRename(tmp); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace: %w", bare(err))
	}
	return SyncDir(dir)
}

// SyncDir makes a rename or a new file in dir durable. File systems that
// cannot fsync a directory are not an error: the rename is as durable as
// they make it.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// staleAge is how old a temporary file of a live process (or of unknown
// process) must be before Write removes it: no write takes that long.
const staleAge = 10 * time.Minute

// RemoveStale removes the temporary files of path that a writer killed
// between creating and renaming them left behind: those of a process that
// no longer runs, and any older than age (so that a write in progress is
// never touched).
func RemoveStale(path string, age time.Duration) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	prefix := "." + base + ".tmp-"
	names, _ := filepath.Glob(filepath.Join(dir, globEscape(prefix)+"*"))
	for _, n := range names {
		fi, err := os.Lstat(n)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if time.Since(fi.ModTime()) > age || writerGone(strings.TrimPrefix(filepath.Base(n), prefix)) {
			_ = os.Remove(n)
		}
	}
}

// writerGone reports whether the temporary file suffix "PID-RANDOM" names
// a process that no longer exists.
func writerGone(suffix string) bool {
	pidText, _, ok := strings.Cut(suffix, "-")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	err = p.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH)
}

// globEscape escapes the characters filepath.Glob treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// bare drops the *fs.PathError or *os.LinkError wrapper of err, whose path
// is the temporary file's: "chmod: operation not permitted".
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}
