package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
func Write(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
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
	if _, err = f.Write(data); err != nil {
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

// RemoveStale removes the temporary files of path that a writer killed
// between creating and renaming them left behind, if older than age (so
// that a write in progress is never touched).
func RemoveStale(path string, age time.Duration) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	names, _ := filepath.Glob(filepath.Join(dir, "."+base+".tmp-*"))
	for _, n := range names {
		if fi, err := os.Stat(n); err == nil && time.Since(fi.ModTime()) > age {
			_ = os.Remove(n)
		}
	}
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
