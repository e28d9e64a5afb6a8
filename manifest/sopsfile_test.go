package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIsSopsEncrypted tells files made by the sops program from manifests
// that merely mention sops.
func TestIsSopsEncrypted(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"team-a.enc.yaml", "db.enc.json", "app.enc.env", "foreign.enc.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "internal", "secretsource", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !IsSopsEncrypted(data) {
			t.Errorf("%s is not recognised as SOPS-encrypted", name)
		}
	}
	for name, text := range map[string]string{
		"manifest mentioning sops and mac": "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: sops-mac}\nspec: {type: genericSecret, keyValuePairs: {A: {fromSops: {file: s.enc.yaml, key: mac}}}}\n",
		"sops map without mac":             "sops: {version: 3}\nmac: x\n",
		"nested sops":                      "spec:\n  sops: {mac: x}\n",
		"JSON without mac":                 `{"sops": {"version": "3"}, "mac": 1}`,
		"plain dotenv":                     "A=sops\nmac=1\n",
		"not YAML":                         "sops: [mac\n",
	} {
		if IsSopsEncrypted([]byte(text)) {
			t.Errorf("%s is taken for a SOPS file", name)
		}
	}
}

// TestLoadSkipsSopsFiles: an encrypted file beside the manifests of a -f
// directory is no manifest and no error.
func TestLoadSkipsSopsFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	enc, err := os.ReadFile(filepath.Join("..", "internal", "secretsource", "testdata", "team-a.enc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{
		"secrets.enc.yaml": string(enc),
		"creds.yaml":       "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: a, scope: tenant}\nspec: {type: ngcApiKey, ngc_api_key: {fromSops: {file: secrets.enc.yaml, key: s3.secretAccessKey}}}\n",
	})
	docs, diags := Read(dir)
	if len(diags) > 0 || len(docs) != 1 || docs[0].File != filepath.Join(dir, "creds.yaml") {
		t.Fatalf("read %d documents, diagnostics %v; want the one manifest", len(docs), diags)
	}
}
