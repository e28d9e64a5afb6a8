package manifest_test

import (
	"testing"

	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// The rules of a declared account are the set's own only when its manifest
// lists them (spec.accessRules, even empty); an account declared without
// the field leaves its rules alone, even inside an Ownership; the rules of
// an undeclared account follow it.
func TestOwnerOfAccessRules(t *testing.T) {
	src := `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: listed}
spec: {accessRules: []}
---
apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: silent}
---
apiVersion: runai-sync/v1
kind: Ownership
metadata: {name: team}
spec:
  serviceAccounts: {names: ["*"]}
  ignore: [{kind: ServiceAccount, names: [gone-ignored]}]
`
	set := testkit.Parse(t, src)
	rule := func(account string) manifest.Key {
		return manifest.Key{Kind: manifest.KindAccessRule, Type: "Viewer", Scope: manifest.ScopeProject, ScopeID: "12", Name: account}
	}
	for account, want := range map[string]string{
		"listed": "ServiceAccount listed", // its manifest lists rules: the set's own
		"silent": "",                      // declared without accessRules: left alone
		"gone":   "team",                  // undeclared: follows the account's owner
	} {
		if got := set.Owner(rule(account)); got != want {
			t.Errorf("Owner(rule of %s) = %q, want %q", account, got, want)
		}
	}
	if !set.Ignored(rule("gone-ignored")) || set.Ignored(rule("listed")) {
		t.Error("the rules of an undeclared account must be ignored with it, and only those")
	}
}
