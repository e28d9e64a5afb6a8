package schema

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/runai-sync/runai-sync/manifest"
)

//go:embed runai-sync.schema.json
var schemaJSON []byte

// ID is the $id of the schema; editors can point at a local copy instead
// (runai-sync schema > runai-sync.schema.json).
const ID = "https://runai-sync.dev/schema/v1/manifest.json"

// JSON returns the schema document, as `runai-sync schema` prints it.
func JSON() []byte { return bytes.Clone(schemaJSON) }

type compiled struct {
	kinds map[manifest.Kind]*jsonschema.Schema
	// byType validates a Credential of a known type against its type's
	// branch only: the full schema tries every type's if/then, and the
	// branches that do not apply cost half the time of a validation.
	byType map[string]*jsonschema.Schema
	raw    map[string]any // the schema as JSON values, to read descriptions and property lists
}

var load = sync.OnceValues(func() (*compiled, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	raw, _ := doc.(map[string]any)
	defs, _ := raw["$defs"].(map[string]any)
	for _, t := range manifest.CredentialTypes {
		// "Credential.<type>": the Credential envelope with the spec of that
		// type only; added to the compiled copy, not to the printed schema.
		env := deepCopy(defs[string(manifest.KindCredential)]).(map[string]any)
		env["properties"].(map[string]any)["spec"] = map[string]any{"$ref": "#/$defs/CredentialSpec." + t}
		defs[string(manifest.KindCredential)+"."+t] = env
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(ID, doc); err != nil {
		return nil, err
	}
	out := &compiled{kinds: map[manifest.Kind]*jsonschema.Schema{}, byType: map[string]*jsonschema.Schema{}, raw: raw}
	for _, k := range manifest.Kinds {
		if out.kinds[k], err = c.Compile(ID + "#/$defs/" + string(k)); err != nil {
			return nil, fmt.Errorf("compile schema of %s: %w", k, err)
		}
	}
	for _, t := range manifest.CredentialTypes {
		if out.byType[t], err = c.Compile(ID + "#/$defs/Credential." + t); err != nil {
			return nil, fmt.Errorf("compile schema of credential type %s: %w", t, err)
		}
	}
	return out, nil
})

// schemaFor picks the schema a document is validated against.
func (c *compiled) schemaFor(d *manifest.Document) *jsonschema.Schema {
	if d.Kind == manifest.KindCredential {
		m, _ := d.Value.(map[string]any)
		spec, _ := m["spec"].(map[string]any)
		if t, ok := spec["type"].(string); ok && c.byType[t] != nil {
			return c.byType[t]
		}
	}
	return c.kinds[d.Kind]
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// at returns the schema object at a JSON pointer fragment such as
// "/$defs/CredentialSpec.accessKey", or nil.
func (c *compiled) at(fragment string) map[string]any {
	var cur any = c.raw
	for _, tok := range splitPointer(fragment) {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[tok]
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(v) {
				return nil
			}
			cur = v[i]
		default:
			return nil
		}
	}
	m, _ := cur.(map[string]any)
	return m
}

// splitPointer splits and unescapes a JSON pointer.
func splitPointer(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	toks := strings.Split(p, "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}
