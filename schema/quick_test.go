package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/internal/repofiles"
	"github.com/runai-sync/runai-sync/manifest"
)

// quickDocuments reads every manifest document of the repository: the
// examples, the invalid cases and the scenarios' files.
func quickDocuments(t *testing.T) []*manifest.Document {
	var docs []*manifest.Document
	for _, f := range repofiles.Walk([]string{"../examples", "../testdata"}, manifest.IsManifestFile) {
		ds, _ := manifest.Parse(f.Name, f.Data)
		docs = append(docs, ds...)
	}
	return docs
}

// agreeQuick checks that a value quick accepts passes the validator; it
// reports whether quick accepted it.
func agreeQuick(t *testing.T, c *compiled, kind manifest.Kind, v any, what string) bool {
	t.Helper()
	d := &manifest.Document{Kind: kind, Value: v}
	if !quickValid(d) {
		return false
	}
	if err := c.schemaFor(d).Validate(v); err != nil {
		b, _ := json.Marshal(v)
		t.Fatalf("%s: quick accepts what the schema refuses (%v):\n%s", what, err, b)
	}
	return true
}

// mutations are values put in place of every field of the documents.
var mutations = []any{"", "x", "a-b", "A_B", "team-a/x", "a/b/c", "9x", strings.Repeat("é", 251), "4f7ab1d2-3c5e-4b8a-9d10-1e2f3a4b5c6d",
	json.Number("0"), json.Number("-1"), json.Number("7"), json.Number("1.5"), json.Number("99999999999"),
	true, false, nil, []any{}, []any{"x"}, []any{json.Number("1")}, map[string]any{}, map[string]any{"fromEnv": "X"},
	map[string]any{"fromEnv": "X", "fromFile": "f"}, map[string]any{"name": "ci-a", "field": "clientId"}, map[string]any{"x": "y"}}

// mutate calls f with copies of v in which one value (at any depth) is
// replaced, removed, or given an extra key.
func mutate(v any, f func(any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			with := func(n any, keep bool) {
				m := make(map[string]any, len(x))
				for k2, e2 := range x {
					m[k2] = e2
				}
				if keep {
					m[k] = n
				} else {
					delete(m, k)
				}
				f(m)
			}
			with(nil, false)
			for _, n := range mutations {
				with(n, true)
			}
			mutate(e, func(n any) { with(n, true) })
		}
		m := map[string]any{"unknownField": "x"}
		for k, e := range x {
			m[k] = e
		}
		f(m)
	case []any:
		for i, e := range x {
			mutate(e, func(n any) {
				l := append([]any(nil), x...)
				l[i] = n
				f(l)
			})
		}
	}
}

// TestQuickSchemaAgrees checks that every document quick accepts passes
// the JSON Schema: the repository's manifests, and every mutation of one
// field of each of them. It also checks that quick does accept the common
// documents, else it would be right only by never answering.
func TestQuickSchemaAgrees(t *testing.T) {
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	docs := quickDocuments(t)
	accepted, mutants, mutantsAccepted := 0, 0, 0
	for _, d := range docs {
		if d.Value == nil {
			continue
		}
		if agreeQuick(t, c, d.Kind, d.Value, d.String()) {
			accepted++
		}
		mutate(d.Value, func(v any) {
			mutants++
			if agreeQuick(t, c, d.Kind, v, d.String()+" mutated") {
				mutantsAccepted++
			}
		})
	}
	t.Logf("quick accepted %d of %d documents, %d of %d mutants", accepted, len(docs), mutantsAccepted, mutants)
	if accepted < 50 || mutants < 50000 {
		t.Errorf("quick accepted %d of %d documents, %d mutants checked; want at least 50 and 50,000", accepted, len(docs), mutants)
	}
	bench, _ := manifest.Parse("bench.yaml", []byte("apiVersion: runai-sync/v1\nkind: Credential\nmetadata:\n  name: cred-000001\n  description: Bench credential 1\n  scope: project\n  project: sandbox\n"+
		"spec:\n  type: password\n  user: user-1\n  password: {fromEnv: SECRET_VALUE}\n"))
	if !agreeQuick(t, c, bench[0].Kind, bench[0].Value, "bench") {
		t.Error("quick does not accept the bench's credential")
	}
}
