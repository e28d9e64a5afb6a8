package runai

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/runai-sync/runai-sync/internal/atomicfile"
	"github.com/runai-sync/runai-sync/manifest"
)

// Modes of a secret file and of the directory made for it.
const (
	secretFileMode = 0o600
	secretDirMode  = 0o700
)

// secretFile is the content of spec.secretFile: the one-time secret of a
// service account or access key. It holds the secret: it is written to the
// file and nowhere else.
type secretFile struct {
	Name         string `json:"name"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	CreatedAt    string `json:"createdAt"`
}

// Format keeps the secret out of fmt output.
func (secretFile) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "{"+manifest.Redacted+"}") }

// writeSecretFile writes content to path (relative to the working
// directory) as indented JSON with mode 0600, making its directory with
// mode 0700 when it is missing. A file that holds the same client id and
// secret already is left alone (its mode tightened to 0600 if need be);
// any other is replaced atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory. So the file always
// holds a whole secret, the old or the new one. Its errors name the path,
// never the secret. written reports whether the file was (re)written.
func writeSecretFile(path string, content secretFile) (written bool, err error) {
	if path == "" {
		return false, errors.New("no secret file given")
	}
	if same, mode, err := holdsSecret(path, content); err != nil {
		return false, err
	} else if same {
		if mode != secretFileMode {
			if err := os.Chmod(path, secretFileMode); err != nil {
				return false, fmt.Errorf("secret file: %w", err)
			}
		}
		return false, nil
	}
	b, err := json.MarshalIndent(content, "", "  ")
	if err != nil {
		return false, fmt.Errorf("secret file %s: encode: %w", path, err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, secretDirMode); err != nil {
		return false, fmt.Errorf("secret file %s: create its directory: %w", path, err)
	}
	if err := atomicfile.Write(path, b, secretFileMode); err != nil {
		return false, fmt.Errorf("secret file %s: %w", path, err)
	}
	return true, nil
}

// holdsSecret reports whether the file at path holds the client id and
// secret of want already, and its permission bits. A missing or unreadable
// JSON file does not hold it; a path that is a directory is an error.
func holdsSecret(path string, want secretFile) (bool, fs.FileMode, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, 0, nil
	case err != nil:
		return false, 0, fmt.Errorf("secret file: %w", err)
	case info.IsDir():
		return false, 0, fmt.Errorf("secret file %s is a directory", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false, 0, nil // replaced below, or the write says why not
	}
	var have secretFile
	if json.Unmarshal(b, &have) != nil {
		return false, 0, nil
	}
	same := have.ClientID == want.ClientID &&
		subtle.ConstantTimeCompare([]byte(have.ClientSecret), []byte(want.ClientSecret)) == 1
	return same, info.Mode().Perm(), nil
}
