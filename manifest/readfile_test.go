package manifest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/manifest"
)

// The loader refuses what is not a regular file before reading a byte, and
// a file over the limit by its size: none of these may block or read much.
func TestLoaderRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sparse := filepath.Join(dir, "sparse.yaml")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil { // 2 GiB, no block written
		t.Fatal(err)
	}
	f.Close()
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "d.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"FIFO", fifo, "not a regular file but a named pipe (FIFO)"},
		{"/dev/zero", "/dev/zero", "not a regular file but a device"},
		{"sparse 2 GiB file", sparse, "file is 2048.0 MiB; a manifest file may hold at most 8 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.path); err != nil {
				t.Skip(err)
			}
			done := make(chan manifest.Diagnostics, 1)
			go func() { _, diags := manifest.Read(tc.path); done <- diags }()
			select {
			case diags := <-done:
				if len(diags) != 1 || !strings.Contains(diags[0].Message, tc.want) || diags[0].Pos.File != tc.path {
					t.Fatalf("diagnostics = %v, want one at %s saying %q", diags, tc.path, tc.want)
				}
			case <-time.After(time.Second):
				t.Fatalf("reading %s did not end within 1s", tc.path)
			}
		})
	}
}

func TestReadRegularFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := manifest.ReadRegularFile(small, 10); err != nil || string(b) != "0123456789" {
		t.Fatalf("at the limit: %q, %v", b, err)
	}
	_, err := manifest.ReadRegularFile(small, 9)
	var tl *manifest.FileTooLargeError
	if !errors.As(err, &tl) || tl.Size != 10 || tl.Limit != 9 {
		t.Fatalf("over the limit: %v, want a FileTooLargeError of 10 > 9", err)
	}
	var nr *manifest.NotRegularError
	if _, err := manifest.ReadRegularFile(dir, 1<<20); !errors.As(err, &nr) || nr.What != "a directory" {
		t.Fatalf("a directory: %v", err)
	}
	if _, err := manifest.ReadRegularFile(filepath.Join(dir, "none"), 1); err == nil || err.Error() != "no such file or directory" {
		t.Fatalf("a missing file: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("/dev/null", link); err == nil {
		if _, err := manifest.ReadRegularFile(link, 1); !errors.As(err, &nr) {
			t.Fatalf("a symlink to a device: %v", err)
		}
	}
}

// A directory that holds a FIFO named like a manifest reports it, and
// still loads the regular files beside it.
func TestLoaderRefusesFIFOInDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "a.yaml"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	doc := "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-a}\nspec: {enabled: true}\n"
	if err := os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, diags := manifest.Read(dir)
	if len(docs) != 1 || len(diags) != 1 || !strings.Contains(diags[0].Message, "named pipe") {
		t.Fatalf("docs %d, diagnostics %v: want b.yaml loaded and a.yaml refused", len(docs), diags)
	}
}

// The early check for a value over 1 MiB fires only when it is sure: a
// one-line JSON document of many small values and a long comment load.
func TestLongValueCheckHasNoFalseAlarms(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"apiVersion":"runai-sync/v1","kind":"Ownership","metadata":{"name":"big"},"spec":{"ignore":[`)
	for i := range 60000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"kind":"Credential","names":["manual-x"]}`)
	}
	b.WriteString("]}}")
	if _, diags := manifest.Parse("one-line.json", []byte(b.String())); len(diags) > 0 && strings.Contains(diags.Error(), "MiB") {
		t.Fatalf("a 2.5 MB one-line JSON document of small values: %.300s", diags.Error())
	}
	comment := "# " + strings.Repeat("x", 2<<20) + "\napiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-a}\n"
	if _, diags := manifest.Parse("comment.yaml", []byte(comment)); len(diags) > 0 {
		t.Fatalf("a long comment: %.300s", diags.Error())
	}
	block := "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: x}\nspec:\n  key: |\n    " + strings.Repeat("y", 2<<20) + "\n"
	_, diags := manifest.Parse("block.yaml", []byte(block))
	if len(diags) != 1 || diags[0].Pos.Line != 6 || diags[0].Pos.Column != 5 || !strings.Contains(diags[0].Message, "a value may hold at most 1 MiB") {
		t.Fatalf("a 2 MiB line of a block scalar: %.300s", diags.Error())
	}
}
