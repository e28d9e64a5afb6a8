package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResolve: fromEnv and fromFile values, a file's one trailing newline
// (LF or CRLF) dropped, paths relative to the manifest's directory, and
// errors that name the variable or file, never a value.
func TestResolve(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFiles(t, dir, map[string]string{
		"m/tok":     "tok\n",
		"m/crlf":    "tok\r\n",
		"m/two":     "tok\n\n",
		"m/empty":   "\n",
		"abs/tok":   "abs",
		"rel-stdin": "from-cwd",
	})
	r := Resolver{
		LookupEnv: func(k string) (string, bool) {
			v, ok := map[string]string{"SET": "value", "EMPTY": ""}[k]
			return v, ok
		},
	}
	inM := &Document{File: "m/creds.yaml"}
	fromStdin := &Document{File: "<stdin>"}
	for _, tt := range []struct {
		name    string
		doc     *Document
		ref     SecretRef
		want    string
		wantErr string
	}{
		{"literal", inM, SecretRef{Literal: NewSecret("lit")}, "lit", ""},
		{"env", inM, SecretRef{FromEnv: "SET"}, "value", ""},
		{"env unset", inM, SecretRef{FromEnv: "UNSET"}, "", "environment variable UNSET is not set"},
		{"env empty", inM, SecretRef{FromEnv: "EMPTY"}, "", "environment variable EMPTY is empty"},
		{"file, newline dropped", inM, SecretRef{FromFile: "tok"}, "tok", ""},
		{"file, CRLF dropped", inM, SecretRef{FromFile: "crlf"}, "tok", ""},
		{"file, only one newline dropped", inM, SecretRef{FromFile: "two"}, "tok\n", ""},
		{"file absolute", inM, SecretRef{FromFile: filepath.Join(dir, "abs/tok")}, "abs", ""},
		{"file relative to the working directory for stdin", fromStdin, SecretRef{FromFile: "rel-stdin"}, "from-cwd", ""},
		{"file empty", inM, SecretRef{FromFile: "empty"}, "", "file m/empty is empty"},
		{"file missing", inM, SecretRef{FromFile: "nope"}, "", "file m/nope does not exist"},
	} {
		v, ok, err := r.Resolve(tt.doc, tt.ref)
		switch {
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr || ok {
				t.Errorf("%s: Resolve = %v, %v; want the error %q", tt.name, ok, err, tt.wantErr)
			}
		case err != nil || !ok || v.Reveal() != tt.want:
			t.Errorf("%s: Resolve = %q, %v, %v; want %q", tt.name, v.Reveal(), ok, err, tt.want)
		}
	}
	// An output of another resource has no value before the apply.
	if _, ok, err := r.Resolve(inM, SecretRef{FromServiceAccount: &OutputRef{Name: "ci", Field: "clientSecret"}}); ok || err != nil {
		t.Errorf("an output reference resolved: %v, %v", ok, err)
	}
}

// TestResolveConfined feeds fromFile the paths a hostile manifest would:
// files outside the roots (directly, through .., through a symlink), a
// FIFO, a device, a sparse 2 GiB file, binary content. Each is refused
// with a message naming the file, within a second, and nothing blocks.
func TestResolveConfined(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"m/ok":       "inside\n",
		"m/big":      strings.Repeat("x", MaxSecretFileSize+1),
		"m/max":      strings.Repeat("y", MaxSecretFileSize),
		"m/binary":   "\xff\xfe",
		"m/utf8":     "grüße",
		"other/data": "also inside",
	})
	if err := syscall.Mkfifo(filepath.Join(root, "m/fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "m/passwd-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../other/data", filepath.Join(root, "m/inside-link")); err != nil {
		t.Fatal(err)
	}
	sparse, err := os.Create(filepath.Join(root, "m/sparse"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sparse.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	}
	sparse.Close()

	doc := &Document{File: filepath.Join(root, "m/creds.yaml")}
	confined := Resolver{Roots: []string{root}}
	widened := Resolver{Roots: []string{root, "/etc", "/dev"}}
	for _, tt := range []struct {
		name    string
		r       Resolver
		ref     SecretRef
		want    string
		wantErr string
	}{
		{"inside", confined, SecretRef{FromFile: "ok"}, "inside", ""},
		{"symlink inside", confined, SecretRef{FromFile: "inside-link"}, "also inside", ""},
		{"exactly 1 MiB", confined, SecretRef{FromFile: "max"}, strings.Repeat("y", MaxSecretFileSize), ""},
		{"UTF-8 text", confined, SecretRef{FromFile: "utf8"}, "grüße", ""},
		{"binary as base64, unaltered", confined, SecretRef{FromFile: "binary", FileEncoding: EncodingBase64}, "//4=", ""},
		{"dot-dot outside", confined, SecretRef{FromFile: "../../../../../../../etc/hostname"}, "", "file /etc/hostname is outside the directories secret files may come from"},
		{"shadow", confined, SecretRef{FromFile: "/etc/shadow"}, "", "file /etc/shadow is outside"},
		{"environ", confined, SecretRef{FromFile: "/proc/self/environ"}, "", "file /proc/self/environ is outside"},
		{"symlink outside", confined, SecretRef{FromFile: "passwd-link"}, "", "m/passwd-link is outside"},
		{"outside says how to allow", confined, SecretRef{FromFile: "/etc/passwd"}, "", "--allow-file-outside /etc"},
		{"allowed outside", widened, SecretRef{FromFile: "passwd-link"}, "root:", ""},
		{"FIFO", confined, SecretRef{FromFile: "fifo"}, "", "fifo is a named pipe (FIFO); secrets are read only from regular files"},
		{"device", widened, SecretRef{FromFile: "/dev/zero"}, "", "/dev/zero is a device; secrets are read only from regular files"},
		{"directory", confined, SecretRef{FromFile: "../other"}, "", "/other is a directory"},
		{"too big", confined, SecretRef{FromFile: "big"}, "", "m/big is larger than 1 MiB (1048577 bytes), the most fromFile reads"},
		{"sparse 2 GiB", confined, SecretRef{FromFile: "sparse"}, "", "m/sparse is larger than 1 MiB (2147483648 bytes)"},
		{"binary refused", confined, SecretRef{FromFile: "binary"}, "", "m/binary is not UTF-8 text (binary?); to take its bytes as they are, base64-encoded, write fromFile: {path: binary, encoding: base64}"},
		{"unknown encoding", confined, SecretRef{FromFile: "ok", FileEncoding: "hex"}, "", `encoding "hex" is not known`},
	} {
		type result struct {
			v   Secret
			err error
		}
		done := make(chan result, 1)
		go func() {
			v, _, err := tt.r.Resolve(doc, tt.ref)
			done <- result{v, err}
		}()
		var got result
		select {
		case got = <-done:
		case <-time.After(time.Second):
			t.Fatalf("%s: not resolved within a second", tt.name)
		}
		switch {
		case tt.wantErr != "":
			if got.err == nil || !strings.Contains(got.err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", tt.name, got.err, tt.wantErr)
			}
		case got.err != nil:
			t.Errorf("%s: %v", tt.name, got.err)
		case !strings.HasPrefix(got.v.Reveal(), tt.want):
			t.Errorf("%s: value %.20q, want %.20q", tt.name, got.v.Reveal(), tt.want)
		}
	}
}

// fakeSources records what ran.
type fakeSources struct {
	mu      sync.Mutex
	allowed []string
	ran     []string
	files   map[string]map[string]string
}

func (f *fakeSources) CheckCommand(c CommandRef) error {
	if !slices.Contains(f.allowed, c.Name()) {
		return errors.New("command " + c.Name() + " is not allowed")
	}
	return nil
}

func (f *fakeSources) Command(c CommandRef) (Secret, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = append(f.ran, strings.Join(c.Command, " "))
	return NewSecret("out of " + c.Name()), nil
}

func (f *fakeSources) Sops(path, key string) (Secret, error) {
	v, ok := f.files[filepath.Base(path)][key]
	if !ok {
		return Secret{}, &KeyError{Msg: "no key " + key}
	}
	return NewSecret(v), nil
}

// TestPrepare: every program is checked before any runs, and each error is
// placed at the part of the reference at fault.
func TestPrepare(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"m/s.enc.yaml": "x"})
	docs, diags := Parse(filepath.Join(root, "m/c.yaml"), []byte(`apiVersion: runai-sync/v1
kind: Credential
metadata: {name: a, scope: project, projectId: 1}
spec:
  type: genericSecret
  keyValuePairs:
    A: {fromCommand: {command: [good, one]}}
    B: {fromCommand: {command: [evil, --touch, marker]}}
    C: {fromSops: {file: s.enc.yaml, key: a.b}}
    D: {fromSops: {file: s.enc.yaml, key: nope}}
    E: {fromSops: {file: ../../outside.enc.yaml, key: a}}
`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, d := range docs {
		if err := d.Decode(); err != nil {
			t.Fatal(err)
		}
	}
	set := NewSet(docs)
	src := &fakeSources{allowed: []string{"good"}, files: map[string]map[string]string{"s.enc.yaml": {"a.b": "v"}}}
	r := Resolver{Roots: []string{root}, Sources: src}
	ds := r.Prepare(set)
	if len(src.ran) != 0 {
		t.Fatalf("commands ran though one is not allowed: %q", src.ran)
	}
	if len(ds) != 1 || ds[0].Path.String() != "spec.keyValuePairs.B.fromCommand.command" || ds[0].Pos.Line != 8 {
		t.Fatalf("diagnostics %v, want one at spec.keyValuePairs.B.fromCommand.command, line 8", ds)
	}
	src.allowed = append(src.allowed, "evil")
	if ds := r.Prepare(set); len(ds) != 0 {
		t.Fatalf("all allowed, Prepare refused: %v", ds)
	}
	slices.Sort(src.ran)
	if want := []string{"evil --touch marker", "good one"}; !slices.Equal(src.ran, want) {
		t.Errorf("ran %q, want %q", src.ran, want)
	}
	// Each problem is placed at the part of the reference at fault.
	var got []string
	for _, f := range set.Resources[0].Secrets() {
		if _, d := r.ResolveField(set.Resources[0], f); d != nil {
			got = append(got, d.Path.String())
		}
	}
	if want := []string{"spec.keyValuePairs.D.fromSops.key", "spec.keyValuePairs.E.fromSops.file"}; !slices.Equal(got, want) {
		t.Errorf("diagnostics at %q, want %q", got, want)
	}
}
