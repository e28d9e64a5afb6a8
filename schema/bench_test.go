package schema_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// BenchmarkLoad1000 parses and validates 1,000 credential documents.
func BenchmarkLoad1000(b *testing.B) {
	var s strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&s, "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: cred-%04d, scope: project, projectId: 7, description: credential %d}\n"+
			"spec: {type: password, user: user-%d, password: {fromEnv: SECRET_VALUE}}\n", i, i, i)
	}
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		docs, diags := manifest.Parse("bench.yaml", data)
		if _, more := schema.Validate(docs); len(diags)+len(more) > 0 {
			b.Fatal(diags, more)
		}
	}
}
