package testkit

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/manifest"
)

// Parse decodes manifests written inline, failing the test on any
// diagnostic.
func Parse(t testing.TB, src string) *manifest.Set {
	t.Helper()
	docs, diags := manifest.Parse("test.yaml", []byte(src))
	if len(diags) > 0 {
		t.Fatalf("parse: %v", diags)
	}
	for _, d := range docs {
		if err := d.Decode(); err != nil {
			t.Fatalf("decode %s: %v", d, err)
		}
	}
	return manifest.NewSet(docs)
}

// Resolver reads fromEnv references from vars.
func Resolver(vars map[string]string) manifest.Resolver {
	return manifest.Resolver{LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
}

// Outputs is an apply.Inputs backed by a map.
type Outputs map[manifest.Key]map[string]manifest.Secret

// Output implements apply.Inputs.
func (o Outputs) Output(k manifest.Key, field string) (manifest.Secret, bool) {
	v, ok := o[k][field]
	return v, ok
}

var _ apply.Inputs = Outputs(nil)

// Log collects log lines, safely across goroutines. Its Logf fits the
// clients' Config.Logf.
type Log struct {
	mu    sync.Mutex
	lines []string
}

// Logf records one line.
func (l *Log) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// Lines returns a copy of the lines so far.
func (l *Log) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// NoSecretIn fails the test when any text holds any of secrets (empty
// ones are skipped). The failure shows the secret's first four characters
// only.
func NoSecretIn(t testing.TB, texts []string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, txt := range texts {
			if strings.Contains(txt, s) {
				t.Errorf("secret %.4s… leaked in %q", s, strings.ReplaceAll(txt, s, "<SECRET>"))
			}
		}
	}
}
