package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/runai-sync/runai-sync/orgunit"
	"github.com/runai-sync/runai-sync/runai"
	"github.com/runai-sync/runai-sync/schema"
)

// TestGuessCoversTheSet: the read-ahead's guess from the raw text reads at
// least what the loaded set needs (else its reads are thrown away), and
// for plain sets exactly that (else it reads too much).
func TestGuessCoversTheSet(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cred := write("cred.yaml", "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: a, scope: project, project: team-a}\n"+
		"spec: {type: accessKey, accessKeyId: A, secretAccessKey: {fromEnv: S}}\n")
	seqera := write("seqera.json", `{"apiVersion": "runai-sync/v1", "kind": "SeqeraCredential", "metadata": {"name": "gh"}, "spec": {"provider": "github", "keys": {"username": "u", "password": {"fromEnv": "P"}}}}`)
	rules := write("rules.yaml", "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci}\n"+
		"spec:\n  accessRules: [{role: ML engineer, scope: project, project: team-a}]\n")
	for _, tc := range []struct {
		name  string
		paths []string
		exact bool
	}{
		{"credential by name", []string{cred}, true},
		{"seqera only", []string{seqera}, true},
		{"an account with access rules", []string{rules}, false},
		{"the example tenant", []string{filepath.Join("..", "..", "examples", "tenant")}, false},
	} {
		set, diags := schema.Load(tc.paths...)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", tc.name, diags)
		}
		g, ok := guess(tc.paths)
		scope, need := g.scope, g.need
		if !ok {
			t.Fatalf("%s: no guess", tc.name)
		}
		wantScope, wantNeed := runai.ScopeOf(set), orgunit.Needs(set)
		if tc.exact && (scope != wantScope || need != wantNeed) {
			t.Errorf("%s: guessed %+v %+v, want exactly %+v %+v", tc.name, scope, need, wantScope, wantNeed)
		}
		if !need.Covers(wantNeed) || (wantScope.Credentials && !scope.Credentials) || (wantScope.ServiceAccounts && !scope.ServiceAccounts) ||
			(wantScope.AccessKeys && !scope.AccessKeys) || (wantScope.ForeignAccessKeys && !scope.ForeignAccessKeys) {
			t.Errorf("%s: guessed %+v %+v, which misses some of %+v %+v", tc.name, scope, need, wantScope, wantNeed)
		}
		if orgunit.NeedsRoles(set) && !g.roles {
			t.Errorf("%s: the roles are needed, and not guessed", tc.name)
		}
	}
	if _, ok := guess([]string{"-"}); ok {
		t.Error("guessed standard input")
	}
}
