package emulator

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// decodeAny decodes a JSON document keeping numbers as json.Number.
func decodeAny(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// unknownField walks v along schema and returns the dotted path of the
// first object member that no (sub)schema declares, or "". This is the
// emulator being stricter than the spec, whose schemas leave
// additionalProperties open: a misspelt field is an error, not a no-op.
func unknownField(ref *openapi3.SchemaRef, v any, path string) string {
	if ref == nil || ref.Value == nil {
		return ""
	}
	switch t := v.(type) {
	case map[string]any:
		props, open := objectProperties(ref.Value)
		if open {
			return ""
		}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			sub, declared := props[k]
			if !declared {
				return join(path, k)
			}
			if bad := unknownField(sub, t[k], join(path, k)); bad != "" {
				return bad
			}
		}
	case []any:
		for _, item := range t {
			if bad := unknownField(ref.Value.Items, item, path+"[]"); bad != "" {
				return bad
			}
		}
	}
	return ""
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// objectProperties collects the properties a schema declares directly and
// through allOf/anyOf/oneOf. open is true for free-form objects (no declared
// property, or explicit additionalProperties).
func objectProperties(s *openapi3.Schema) (props map[string]*openapi3.SchemaRef, open bool) {
	props = map[string]*openapi3.SchemaRef{}
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil {
			return
		}
		if s.AdditionalProperties.Schema != nil || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) {
			open = true
		}
		for k, p := range s.Properties {
			if _, seen := props[k]; !seen {
				props[k] = p
			}
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, sub := range group {
				walk(sub.Value)
			}
		}
	}
	walk(s)
	return props, open || len(props) == 0
}
