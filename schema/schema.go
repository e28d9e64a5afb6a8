package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

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
	raw   map[string]any // the schema as JSON values, to read descriptions and property lists
}

var load = sync.OnceValues(func() (*compiled, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource(ID, bytes.NewReader(schemaJSON)); err != nil {
		return nil, err
	}
	out := &compiled{kinds: map[manifest.Kind]*jsonschema.Schema{}}
	for _, k := range manifest.Kinds {
		s, err := c.Compile(ID + "#/$defs/" + string(k))
		if err != nil {
			return nil, fmt.Errorf("compile schema of %s: %w", k, err)
		}
		out.kinds[k] = s
	}
	if err := json.Unmarshal(schemaJSON, &out.raw); err != nil {
		return nil, err
	}
	return out, nil
})

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
