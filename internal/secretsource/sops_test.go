package secretsource

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

// The plain values of the fixtures (see testdata/README.md).
const (
	s3Secret      = "sops-s3-secret-4711"
	s3SecretV2    = "sops-s3-secret-changed-9"
	registryPass  = "sops-registry-pass-0815"
	jsonPass      = "sops-json-pass-1234"
	dotenvToken   = "sops-dotenv-token-5678"
	dotenvOther   = "sops-dotenv-other-999"
	fixtureAgeKey = "testdata/test.agekey"
)

var plainValues = []string{s3Secret, s3SecretV2, registryPass, jsonPass, dotenvToken, dotenvOther}

func fixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// noValue fails the test when an error shows a plain value.
func noValue(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, v := range plainValues {
		if strings.Contains(err.Error(), v) {
			t.Fatalf("error reveals a value: %v", err)
		}
	}
}

// TestSops decrypts real SOPS files (made with the sops program, age
// recipients) through SOPS's key sources: YAML, JSON and dotenv, dot paths,
// numbers as written.
func TestSops(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", fixture(t, "test.agekey"))
	t.Setenv("SOPS_AGE_KEY", "")
	s := New(Options{})
	for _, tt := range []struct {
		file, key, want string
	}{
		{"team-a.enc.yaml", "s3.secretAccessKey", s3Secret},
		{"team-a.enc.yaml", "registry.password", registryPass},
		{"team-a.enc.yaml", "s3.accessKeyId", "AKIASOPS"},
		{"team-a.enc.yaml", "port", "5432"},
		{"team-a-v2.enc.yaml", "s3.secretAccessKey", s3SecretV2},
		{"db.enc.json", "db.password", jsonPass},
		{"app.enc.env", "API_TOKEN", dotenvToken},
		{"app.enc.env", "OTHER", dotenvOther},
	} {
		v, err := s.Sops(fixture(t, tt.file), tt.key)
		noValue(t, err)
		if err != nil || v.Reveal() != tt.want {
			t.Errorf("%s %s = %q, %v; want %q", tt.file, tt.key, v.Reveal(), err, tt.want)
		}
	}
}

// TestSopsKeyAgeEnv takes the age identity from SOPS_AGE_KEY itself.
func TestSopsKeyAgeEnv(t *testing.T) {
	key, err := os.ReadFile(fixture(t, "test.agekey"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOPS_AGE_KEY_FILE", "")
	t.Setenv("SOPS_AGE_KEY", string(key))
	v, err := New(Options{}).Sops(fixture(t, "team-a.enc.yaml"), "s3.secretAccessKey")
	if err != nil || v.Reveal() != s3Secret {
		t.Fatalf("got %v", err)
	}
}

// TestSopsErrors: each failure says what is wrong and what to do, names the
// keys that exist, and never shows a value.
func TestSopsErrors(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", fixture(t, "test.agekey"))
	t.Setenv("SOPS_AGE_KEY", "")
	dir := t.TempDir()
	enc, err := os.ReadFile(fixture(t, "team-a.enc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(string(enc), "lastmodified: \"2026", "lastmodified: \"2025", 1)
	if tampered == string(enc) {
		t.Fatal("the fixture's lastmodified was not changed")
	}
	for name, content := range map[string]string{"tampered.enc.yaml": tampered, "secrets.txt": "x", "broken.enc.yaml": "a: [\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := New(Options{})
	for _, tt := range []struct {
		name, path, key, want string
		keyError              bool
	}{
		{"missing key", fixture(t, "team-a.enc.yaml"), "s3.secretKey", "key s3.secretKey is not in ", true},
		{"missing key lists the keys", fixture(t, "team-a.enc.yaml"), "s3.secretKey", "under s3 it has accessKeyId and secretAccessKey", true},
		{"missing top key", fixture(t, "team-a.enc.yaml"), "s4.x", "at the top it has port, registry and s3", true},
		{"a map", fixture(t, "team-a.enc.yaml"), "s3", "key s3 in ", true},
		{"a map names its keys", fixture(t, "team-a.enc.yaml"), "s3", "is a map, not a value: name one of its keys (accessKeyId and secretAccessKey)", true},
		{"below a value", fixture(t, "team-a.enc.yaml"), "port.x", "port in ", true},
		{"a list", fixture(t, "db.enc.json"), "list", "is a list, not a value", true},
		{"dotenv variable", fixture(t, "app.enc.env"), "NOPE", "at the top it has API_TOKEN and OTHER", true},
		{"not encrypted", fixture(t, "team-a.yaml"), "s3.secretAccessKey", "is not SOPS-encrypted (it has no sops metadata); encrypt it with: sops encrypt --in-place", false},
		{"no usable key", fixture(t, "foreign.enc.yaml"), "s3.secretAccessKey", "no usable key (it is encrypted for age age1ph0cnhmz32ks8hzhlexltsycs3q5r8zm9wu8fs0qe0qqptneeq3sf66spq); for age set SOPS_AGE_KEY_FILE", false},
		{"tampered", filepath.Join(dir, "tampered.enc.yaml"), "s3.secretAccessKey", "its MAC does not match", false},
		{"unknown format", filepath.Join(dir, "secrets.txt"), "a", "cannot tell the format of", false},
		{"not YAML", filepath.Join(dir, "broken.enc.yaml"), "a", "is not a SOPS-encrypted YAML file", false},
		{"missing file", filepath.Join(dir, "gone.enc.yaml"), "a", "gone.enc.yaml does not exist", false},
	} {
		_, err := s.Sops(tt.path, tt.key)
		noValue(t, err)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
			continue
		}
		var ke *manifest.KeyError
		if isKey := errorsAs(err, &ke); isKey != tt.keyError {
			t.Errorf("%s: a key error: %v, want %v", tt.name, isKey, tt.keyError)
		}
	}
}

// TestSopsNoKey: with no identity at all, the message says how to give one.
func TestSopsNoKey(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", filepath.Join(t.TempDir(), "none.agekey"))
	t.Setenv("SOPS_AGE_KEY", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, err := New(Options{}).Sops(fixture(t, "team-a.enc.yaml"), "s3.secretAccessKey")
	if err == nil || !strings.Contains(err.Error(), "no usable key") || !strings.Contains(err.Error(), "SOPS_AGE_KEY_FILE") {
		t.Fatalf("error %v, want one saying there is no usable key and how to give one", err)
	}
}

// TestSopsOncePerFile: parallel lookups of one file decrypt it once; after
// the first, the file is not read again (it may be gone).
func TestSopsOncePerFile(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", fixture(t, "test.agekey"))
	t.Setenv("SOPS_AGE_KEY", "")
	dir := t.TempDir()
	enc, err := os.ReadFile(fixture(t, "team-a.enc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "copy.enc.yaml")
	if err := os.WriteFile(path, enc, 0o600); err != nil {
		t.Fatal(err)
	}
	s := New(Options{})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			key := []string{"s3.secretAccessKey", "registry.password"}[i%2]
			if _, err := s.Sops(path, key); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Sops(path, "registry.password"); err != nil || v.Reveal() != registryPass {
		t.Fatalf("the file was read again: %v", err)
	}
	if _, err := New(Options{}).Sops(path, "registry.password"); err == nil {
		t.Fatal("a new run should read the file again, and find it gone")
	}
}

func errorsAs(err error, target **manifest.KeyError) bool { return errors.As(err, target) }
