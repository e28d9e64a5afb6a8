package schema_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

func rawSchema(t *testing.T) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(schema.JSON(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func def(t *testing.T, s map[string]any, name string) map[string]any {
	t.Helper()
	d, ok := s["$defs"].(map[string]any)[name].(map[string]any)
	if !ok {
		t.Fatalf("schema has no $defs/%s", name)
	}
	return d
}

func strs(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

// TestSchemaMatchesGoTables keeps the schema and the Go tables the code uses
// (kinds, credential types, scopes, Seqera providers and keys) in step.
func TestSchemaMatchesGoTables(t *testing.T) {
	s := rawSchema(t)
	var kinds []string
	for _, k := range manifest.Kinds {
		kinds = append(kinds, string(k))
	}
	kinds = append(kinds, schema.KindTenants) // the tenants file, not a manifest
	if diff := cmp.Diff(kinds, strs(s["properties"].(map[string]any)["kind"].(map[string]any)["enum"])); diff != "" {
		t.Errorf("kinds (-go +schema):\n%s", diff)
	}
	types := strs(def(t, s, "CredentialSpec")["properties"].(map[string]any)["type"].(map[string]any)["enum"])
	if diff := cmp.Diff(manifest.CredentialTypes, types); diff != "" {
		t.Errorf("credential types (-go +schema):\n%s", diff)
	}
	if diff := cmp.Diff(manifest.Scopes, strs(def(t, s, "scope")["enum"])); diff != "" {
		t.Errorf("scopes (-go +schema):\n%s", diff)
	}
	providers := strs(def(t, s, "SeqeraSpec")["properties"].(map[string]any)["provider"].(map[string]any)["enum"])
	for _, p := range manifest.SeqeraProviders {
		if !slices.Contains(providers, p.Name) {
			t.Errorf("provider %s is in the Go table but not the schema", p.Name)
			continue
		}
		keys := def(t, s, "SeqeraKeys."+p.Name)
		var goKeys, goRequired []string
		for _, k := range p.Keys {
			goKeys = append(goKeys, k.Name)
			if k.Required {
				goRequired = append(goRequired, k.Name)
			}
			desc := keys["properties"].(map[string]any)[k.Name].(map[string]any)["description"].(string)
			if strings.HasSuffix(desc, "(secret)") != k.Secret {
				t.Errorf("%s.%s: secret=%v in Go, schema says %q", p.Name, k.Name, k.Secret, desc)
			}
		}
		var schemaKeys []string
		for k := range keys["properties"].(map[string]any) {
			schemaKeys = append(schemaKeys, k)
		}
		sort.Strings(goKeys)
		sort.Strings(schemaKeys)
		if diff := cmp.Diff(goKeys, schemaKeys); diff != "" {
			t.Errorf("%s keys (-go +schema):\n%s", p.Name, diff)
		}
		var schemaRequired []string
		if r, ok := keys["required"]; ok {
			schemaRequired = strs(r)
		}
		if diff := cmp.Diff(goRequired, schemaRequired); diff != "" {
			t.Errorf("%s required keys (-go +schema):\n%s", p.Name, diff)
		}
	}
	if len(providers) != len(manifest.SeqeraProviders) {
		t.Errorf("schema lists %d providers, Go %d", len(providers), len(manifest.SeqeraProviders))
	}
}

// TestEveryFieldDescribed checks that editors get hover text: every property
// of every definition has a description (directly or through its $ref).
func TestEveryFieldDescribed(t *testing.T) {
	s := rawSchema(t)
	defs := s["$defs"].(map[string]any)
	for name, d := range defs {
		props, _ := d.(map[string]any)["properties"].(map[string]any)
		for field, p := range props {
			pm := p.(map[string]any)
			if field == "type" || field == "apiVersion" || field == "kind" {
				continue // discriminators, described where they are defined
			}
			desc, _ := pm["description"].(string)
			if ref, ok := pm["$ref"].(string); ok && desc == "" {
				target := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
				desc, _ = target["description"].(string)
				if desc == "" && target["properties"] != nil {
					desc = "(object)"
				}
			}
			if desc == "" {
				t.Errorf("$defs/%s.properties.%s has no description", name, field)
			}
		}
	}
}
