package manifest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// hostile is input built to hang, exhaust or confuse a loader.
type hostile struct {
	name    string
	data    func() []byte
	wantErr string // "" means it must load and validate cleanly
}

func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString("apiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: bomb}\nspec:\n")
	b.WriteString(`  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	prev := "a"
	for _, c := range "bcdefghi" {
		b.WriteString("  " + string(c) + ": &" + string(c) + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
		prev = string(c)
	}
	return []byte(b.String())
}

var hostileInputs = []hostile{
	{"alias bomb", aliasBomb, "document expands to more than"},
	{"10000-deep flow sequences", func() []byte {
		return []byte("apiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: deep}\nspec: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n")
	}, "nesting deeper than"},
	{"10000-deep flow mappings", func() []byte {
		return []byte("spec: " + strings.Repeat("{a: ", 10000) + "x" + strings.Repeat("}", 10000) + "\n")
	}, "nesting deeper than"},
	{"100000-deep flow sequences", func() []byte {
		return []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))
	}, "exceeded max depth"},
	{"50 MB file", func() []byte {
		line := []byte("# " + strings.Repeat("x", 97) + "\n")
		return bytes.Repeat(line, 50<<20/len(line))
	}, "a manifest file may hold at most"},
	{"invalid UTF-8", func() []byte {
		return []byte("apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: \"ci-\xc3\x28\"}\n")
	}, "invalid UTF-8"},
	{"binary", func() []byte { return []byte("\x7fELF\x02\x01\x01\x00\x00\x00garbage") }, "file is binary"},
	{"UTF-16", func() []byte { return []byte("\xff\xfea\x00:\x00 \x001\x00") }, "UTF-16"},
	{"duplicate keys", func() []byte {
		return []byte("apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-a, name: ci-b}\n")
	}, `duplicate key "name"`},
	{"huge string", func() []byte {
		return []byte("apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-" + strings.Repeat("a", 4<<20) + "}\n")
	}, "a value may hold at most 1 MiB"},
	{"many documents", func() []byte {
		return bytes.Repeat([]byte("---\n{}\n"), 200000)
	}, "more than 20000 documents in one file"},
	{"byte order mark", func() []byte {
		return []byte("\ufeffapiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-a}\n")
	}, ""},
	{"CRLF line endings", func() []byte {
		return []byte("apiVersion: runai-sync/v1\r\nkind: ServiceAccount\r\nmetadata:\r\n  name: ci-a\r\n---\r\napiVersion: runai-sync/v1\r\nkind: AccessKey\r\nmetadata: {name: platform-a}\r\n")
	}, ""},
}

// TestHostileInput checks that each hostile input ends within a second with
// a clear error (or loads, for a BOM and CRLF). The one-second bound is the
// promise of the issue, not a benchmark: BenchmarkHostileInput measures.
// Under the race detector the bound is scaled (see raceEnabled).
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	bound := time.Second
	if raceEnabled {
		bound *= 10
	}
	for _, h := range hostileInputs {
		t.Run(h.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(h.name, " ", "-")+".yaml")
			if err := os.WriteFile(path, h.data(), 0o644); err != nil {
				t.Fatal(err)
			}
			done := make(chan manifest.Diagnostics, 1)
			go func() {
				_, diags := schema.Load(path)
				done <- diags
			}()
			select {
			case diags := <-done:
				switch {
				case h.wantErr == "" && len(diags) > 0:
					t.Fatalf("should load cleanly, got:\n%s", diags.Error())
				case h.wantErr != "" && !strings.Contains(diags.Error(), h.wantErr):
					t.Fatalf("want an error containing %q, got:\n%.2000s", h.wantErr, diags.Error())
				}
				for _, d := range diags {
					if d.Pos.Line < 1 || d.Pos.Column < 1 || d.Pos.File != path {
						t.Errorf("diagnostic without a place in the file: %.200s", d.String())
					}
				}
			case <-time.After(bound):
				t.Fatalf("did not end within %v", bound)
			}
		})
	}
}

func BenchmarkHostileInput(b *testing.B) {
	dir := b.TempDir()
	for _, h := range hostileInputs {
		path := filepath.Join(dir, strings.ReplaceAll(h.name, " ", "-")+".yaml")
		if err := os.WriteFile(path, h.data(), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(strings.ReplaceAll(h.name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				schema.Load(path)
			}
		})
	}
}
