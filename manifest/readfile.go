package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// FileTooLargeError says that a file holds more than a reader allows.
type FileTooLargeError struct {
	Size  int64 // the size the file showed (or at least this much)
	Limit int64
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("file is %s; at most %s may be read", humanSize(e.Size), humanSize(e.Limit))
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadRegularFile reads a whole file of at most limit bytes, and only a
// regular file (symlinks followed): a named pipe, a device, a socket or a
// directory is refused with an error saying what it is, before any byte is
// read, and so is a file larger than limit (its size is checked before
// reading, and the read stops after limit+1 bytes should it grow). It never
// blocks: the file is opened with O_NONBLOCK, so that opening a FIFO nobody
// writes to returns at once. Every reader of user-named files uses it (the
// manifest loader; fromFile and later file-based secret sources).
func ReadRegularFile(name string, limit int64) ([]byte, error) {
	// Stat first, so that a device is never even opened (opening some has
	// effects), then check what was opened: the path may have changed.
	before, err := os.Stat(name)
	if err != nil {
		return nil, openError(err)
	}
	if err := RegularFile(before); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, openError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := RegularFile(info); err != nil {
		return nil, err
	}
	if info.Size() > limit {
		return nil, &FileTooLargeError{Size: info.Size(), Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &FileTooLargeError{Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

// RegularFile returns an error saying what the file is unless it is a
// regular file.
func RegularFile(info fs.FileInfo) error {
	m := info.Mode()
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "of type " + m.Type().String()
	}
	return &NotRegularError{What: what}
}

// NotRegularError refuses a file that is not a regular file.
type NotRegularError struct {
	What string // "a named pipe (FIFO)", "a device", "a directory"…
}

func (e *NotRegularError) Error() string {
	return "not a regular file but " + e.What + "; only regular files are read"
}

// openError drops the "open NAME:" prefix of a path error: diagnostics
// name the file already.
func openError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, fs.ErrNotExist) {
			return errors.New("no such file or directory")
		}
		return pe.Err
	}
	return err
}
