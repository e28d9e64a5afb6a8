package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

// TestAtMostHundredErrorsPerFile: a file whose documents each fail a check
// of the whole set (a duplicate, a missing reference) or carry a warning
// gives 100 errors (and 100 warnings) and a note, not one per document.
func TestAtMostHundredErrorsPerFile(t *testing.T) {
	for name, doc := range map[string]string{
		"duplicates": "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-a}\nspec: {enabled: true}\n",
		"references": "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: c-%d, scope: project, projectId: 12}\nspec: {type: genericSecret, keyValuePairs: {A: {fromServiceAccount: {name: nobody, field: clientId}}}}\n",
		"schema":     "apiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: ci-%d}\nspec: {enabled: maybe}\n",
		"warnings":   "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: c-%d, scope: project, projectId: 12}\nspec: {type: password, user: u, password: literal-secret-value}\n",
	} {
		t.Run(name, func(t *testing.T) {
			docs := make([]string, 5000)
			for i := range docs {
				docs[i] = strings.ReplaceAll(doc, "%d", fmt.Sprint(i))
			}
			parsed, diags := manifest.Parse("many.yaml", []byte(strings.Join(docs, "---\n")))
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			_, diags = Validate(parsed)
			errs, warns, notes := 0, 0, 0
			for _, d := range diags {
				switch {
				case strings.HasPrefix(d.Message, "more than 100 "):
					notes++
				case d.Severity == manifest.SeverityWarning:
					warns++
				default:
					errs++
				}
			}
			if errs > MaxErrorsPerFile || warns > MaxErrorsPerFile || notes != 1 {
				t.Fatalf("%d errors, %d warnings, %d notes; want at most 100 each and one note", errs, warns, notes)
			}
		})
	}
}
