package secretsource

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/cmd/sops/common"
	"github.com/getsops/sops/v3/cmd/sops/formats"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/decrypt"
	"github.com/getsops/sops/v3/logging"

	"github.com/runai-sync/runai-sync/manifest"
)

// MaxSopsFileSize is the largest SOPS file read (a manifest's limit).
const MaxSopsFileSize = manifest.MaxFileSize

type fileResult struct {
	once sync.Once
	tree sops.TreeBranch
	err  error
}

// quietSops sends the SOPS libraries' log lines nowhere: runai-sync
// prints its own messages.
var quietSops = sync.OnceFunc(func() {
	for _, l := range logging.Loggers {
		l.SetOutput(io.Discard)
	}
})

// Sops implements manifest.Sources: the value at key (a dot path into
// nested maps, or a dotenv variable) of the SOPS-encrypted file path,
// decrypted once per run.
func (s *Sources) Sops(path, key string) (manifest.Secret, error) {
	s.mu.Lock()
	r := s.files[path]
	if r == nil {
		r = &fileResult{}
		s.files[path] = r
	}
	s.mu.Unlock()
	r.once.Do(func() { r.tree, r.err = decryptFile(path) })
	if r.err != nil {
		return manifest.Secret{}, r.err
	}
	return lookup(r.tree, key, display(path))
}

// formats are the SOPS formats fromSops reads, by file extension.
var fileFormats = map[string]formats.Format{
	".yaml": formats.Yaml, ".yml": formats.Yaml, ".json": formats.Json, ".env": formats.Dotenv,
}

// decryptFile reads and decrypts one file with SOPS's own decryption
// package and key sources, and returns its first document.
func decryptFile(path string) (sops.TreeBranch, error) {
	quietSops()
	shown := display(path)
	format, ok := fileFormats[strings.ToLower(filepath.Ext(path))]
	if !ok {
		return nil, fmt.Errorf("cannot tell the format of %s from its name: fromSops reads .yaml, .yml, .json and .env files", shown)
	}
	data, err := manifest.ReadSecretFile(path, shown, MaxSopsFileSize, "fromSops")
	if err != nil {
		return nil, err
	}
	store := common.StoreForFormat(format, config.NewStoresConfig())
	encrypted, err := store.LoadEncryptedFile(data)
	switch {
	case errors.Is(err, sops.MetadataNotFound):
		return nil, fmt.Errorf("file %s is not SOPS-encrypted (it has no sops metadata); encrypt it with: sops encrypt --in-place %s", shown, shown)
	case err != nil:
		return nil, fmt.Errorf("file %s is not a SOPS-encrypted %s file: %v", shown, formatName(format), err)
	}
	plain, err := decrypt.DataWithFormat(data, format)
	if err != nil {
		return nil, decryptError(shown, encrypted.Metadata, err)
	}
	branches, err := store.LoadPlainFile(plain)
	if err != nil {
		return nil, fmt.Errorf("cannot read the decrypted %s: %v", shown, err)
	}
	if len(branches) == 0 {
		return sops.TreeBranch{}, nil
	}
	return branches[0], nil
}

// decryptError says why a file could not be decrypted, without SOPS's
// internals: which keys it is encrypted for, and how to provide one.
func decryptError(shown string, md sops.Metadata, err error) error {
	if _, keyless := err.(interface{ UserError() string }); keyless {
		var recipients []string
		for _, g := range md.KeyGroups {
			for _, k := range g {
				recipients = append(recipients, k.TypeToIdentifier()+" "+k.ToString())
			}
		}
		return fmt.Errorf("cannot decrypt %s: no usable key (it is encrypted for %s); for age set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY to a matching identity, for PGP import the key, for a cloud KMS provide its credentials",
			shown, strings.Join(recipients, ", "))
	}
	if strings.Contains(err.Error(), "data integrity") || strings.Contains(err.Error(), "mac") {
		return fmt.Errorf("cannot decrypt %s: its MAC does not match, so it was changed without sops or is damaged; restore it, or edit it with sops", shown)
	}
	return fmt.Errorf("cannot decrypt %s: %v", shown, err)
}

func formatName(f formats.Format) string {
	switch f {
	case formats.Json:
		return "JSON"
	case formats.Dotenv:
		return "dotenv"
	}
	return "YAML"
}

// lookup finds key in a decrypted document: the whole key first (a dotenv
// variable, a key with dots), then as a dot path through nested maps.
// Errors list the keys that exist where the path stopped, never a value.
func lookup(tree sops.TreeBranch, key, shown string) (manifest.Secret, error) {
	if v, ok := item(tree, key); ok {
		return leaf(v, key, shown)
	}
	parts := strings.Split(key, ".")
	var node any = tree
	for i, p := range parts {
		branch, ok := node.(sops.TreeBranch)
		if !ok {
			return manifest.Secret{}, &manifest.KeyError{Msg: fmt.Sprintf("key %s: %s in %s is a value, not a map", key, strings.Join(parts[:i], "."), shown)}
		}
		v, ok := item(branch, p)
		if !ok {
			where := "at the top"
			if i > 0 {
				where = "under " + strings.Join(parts[:i], ".")
			}
			return manifest.Secret{}, &manifest.KeyError{Msg: fmt.Sprintf("key %s is not in %s: %s it has %s", key, shown, where, keyList(branch))}
		}
		node = v
	}
	return leaf(node, key, shown)
}

func item(b sops.TreeBranch, key string) (any, bool) {
	for _, it := range b {
		if k, ok := it.Key.(string); ok && k == key {
			return it.Value, true
		}
	}
	return nil, false
}

// keyList names the keys of a map, sorted: "a, b and c" or "no keys".
func keyList(b sops.TreeBranch) string {
	var keys []string
	for _, it := range b {
		if k, ok := it.Key.(string); ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	switch len(keys) {
	case 0:
		return "no keys"
	case 1:
		return "only " + keys[0]
	}
	return strings.Join(keys[:len(keys)-1], ", ") + " and " + keys[len(keys)-1]
}

// leaf turns a value of the document into a secret: a string as it is,
// a number or boolean as written; a map or list is an error naming its keys.
func leaf(v any, key, shown string) (manifest.Secret, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		s = strconv.FormatBool(v)
	case sops.TreeBranch:
		return manifest.Secret{}, &manifest.KeyError{Msg: fmt.Sprintf("key %s in %s is a map, not a value: name one of its keys (%s)", key, shown, keyList(v))}
	case nil:
		return manifest.Secret{}, &manifest.KeyError{Msg: fmt.Sprintf("key %s in %s is null", key, shown)}
	default:
		return manifest.Secret{}, &manifest.KeyError{Msg: fmt.Sprintf("key %s in %s is a %s, not a value", key, shown, kindOf(v))}
	}
	if s == "" {
		return manifest.Secret{}, &manifest.KeyError{Msg: fmt.Sprintf("key %s in %s is empty", key, shown)}
	}
	return manifest.NewSecret(s), nil
}

func kindOf(v any) string {
	if _, ok := v.([]any); ok {
		return "list"
	}
	return fmt.Sprintf("%T", v)
}
