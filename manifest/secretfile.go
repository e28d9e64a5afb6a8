package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxSecretFileSize is the largest file fromFile reads.
const MaxSecretFileSize = 1 << 20

// confine returns the real path of a secret file (symlinks resolved) when
// it lies inside one of the resolver's roots, and an error naming the file
// as written otherwise: a manifest from a pull request must not read
// /etc/shadow or /proc/self/environ into a credential.
func (r Resolver) confine(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", path, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("file %s does not exist", path)
	case err != nil:
		return "", fmt.Errorf("cannot read %s: %v", path, cause(err))
	}
	if err := r.inRoots(path, real, "secret files may come from"); err != nil {
		return "", err
	}
	return real, nil
}

// ConfineOutput checks that a file runai-sync writes a secret to (a
// service account's spec.secretFile) lies inside the resolver's roots, as
// files read are: a manifest from a pull request must not make an apply
// write a client secret over ~/.bashrc or into a directory others read.
// The file and its directories need not exist: the deepest part that does
// is resolved (symlinks included) and the rest is joined to it.
func (r Resolver) ConfineOutput(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	dir, rest := abs, ""
	for {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return r.inRoots(path, filepath.Join(real, rest), "secret files may be written to")
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot write %s: %v", path, cause(err))
		}
		if _, err := os.Lstat(dir); err == nil {
			// There, but not to be followed: a symbolic link to nothing.
			return fmt.Errorf("cannot write %s: %s is a symbolic link to a file that does not exist", path, dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return fmt.Errorf("cannot write %s: none of its directories exist", path)
		}
		dir, rest = parent, filepath.Join(filepath.Base(dir), rest)
	}
}

// inRoots returns nil when real (a path with its symlinks resolved) lies
// inside one of the resolver's roots (the working directory when it has
// none), and an error naming path as the manifest wrote it otherwise;
// what says what the roots are for.
func (r Resolver) inRoots(path, real, what string) error {
	roots := r.Roots
	if len(roots) == 0 {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("cannot use %s: no working directory: %v", path, err)
		}
		roots = []string{wd}
	}
	for _, root := range roots {
		if within(root, real) {
			return nil
		}
	}
	msg := fmt.Sprintf("file %s is outside the directories %s (%s); move it inside", path, what, strings.Join(roots, ", "))
	if !system(real) {
		msg += ", or allow its directory with --allow-file-outside " + filepath.Dir(real)
	}
	return errors.New(msg)
}

// system reports a path of the kernel's own file systems, which no secret
// comes from: no --allow-file-outside is suggested for them.
func system(p string) bool {
	for _, dir := range []string{"/proc", "/sys", "/dev"} {
		if p == dir || strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// within reports whether p (a real path) is root or lies below it, with
// root's own symlinks resolved.
func within(root, p string) bool {
	abs, err := filepath.Abs(root)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	rel, err := filepath.Rel(abs, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// ReadSecretFile reads a secret file at its real path with ReadRegularFile:
// what is not a regular file (a FIFO, a device, a directory: never read, so
// nothing blocks) and a file larger than limit are refused before a byte is
// read. shown is the path as the manifest wrote it, for messages; what
// names the reader ("fromFile").
func ReadSecretFile(real, shown string, limit int64, what string) ([]byte, error) {
	b, err := ReadRegularFile(real, limit)
	var notRegular *NotRegularError
	var tooLarge *FileTooLargeError
	switch {
	case err == nil:
		return b, nil
	case errors.Is(err, fs.ErrNotExist) || err.Error() == "no such file or directory":
		return nil, fmt.Errorf("file %s does not exist", shown)
	case errors.As(err, &notRegular):
		return nil, fmt.Errorf("%s is %s; secrets are read only from regular files", shown, notRegular.What)
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("file %s is larger than %s (%d bytes), the most %s reads", shown, byteSize(limit), tooLarge.Size, what)
	}
	return nil, fmt.Errorf("cannot read %s: %v", shown, cause(err))
}

// byteSize is "1 MiB", "2.5 GiB", "300 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<30))) + " GiB"
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MiB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KiB"
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// cause is the reason of a path error without the path, which the message
// already names as the manifest wrote it.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
