package schema

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/runai-sync/runai-sync/manifest"
)

// The JSON Schema validator (santhosh-tekuri/jsonschema) is the authority
// on what is valid and says why not, but it spends most of a load's time on
// documents that are valid: every $ref and every property is a nested
// validation that allocates. quick is a plain reading of the same schema
// for the keywords it uses, which answers only "surely valid": a document
// it accepts needs nothing more; anything else (a document it refuses, or a
// keyword or value it does not handle) goes to the validator as before, so
// every message is the validator's. TestQuickSchemaAgrees compares the two
// over the examples, the test cases and their mutations.

// quickNode is one compiled schema object; nil keywords are absent.
type quickNode struct {
	unsupported  bool // a keyword quick does not read: never sure
	types        []string
	constVal     *string
	enum         []string
	properties   map[string]*quickRef
	required     []string
	additional   *quickRef // additionalProperties as a schema
	noAdditional bool      // additionalProperties: false
	minLength    int
	maxLength    int // -1: none
	pattern      *regexp.Regexp
	items        *quickRef
	minItems     int
	minProps     int
	maxProps     int // -1: none
	minimum      *int64
	maximum      *int64
	propNames    *quickRef
	ifS          *quickRef
	thenS        *quickRef
	elseS        *quickRef
	allOf        []*quickRef
	ref          *quickRef
}

// quickRef is a schema reached by $ref or nested, compiled once.
type quickRef struct{ node *quickNode }

type quickCompiler struct {
	defs map[string]any
	refs map[string]*quickRef
}

var loadQuick = sync.OnceValue(func() map[string]*quickRef {
	var doc map[string]any
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		return nil
	}
	defs, _ := doc["$defs"].(map[string]any)
	qc := &quickCompiler{defs: defs, refs: map[string]*quickRef{}}
	out := map[string]*quickRef{}
	for _, k := range manifest.Kinds {
		out[string(k)] = qc.ref(string(k))
	}
	for _, t := range manifest.CredentialTypes {
		// As schemaFor: the Credential envelope with its type's spec only.
		env := deepCopy(defs[string(manifest.KindCredential)]).(map[string]any)
		env["properties"].(map[string]any)["spec"] = map[string]any{"$ref": "#/$defs/CredentialSpec." + t}
		out[string(manifest.KindCredential)+"."+t] = &quickRef{node: qc.compile(env)}
	}
	return out
})

func (qc *quickCompiler) ref(name string) *quickRef {
	if r, ok := qc.refs[name]; ok {
		return r
	}
	r := &quickRef{}
	qc.refs[name] = r // before compiling: a definition may refer to itself
	r.node = qc.compile(qc.defs[name])
	return r
}

func (qc *quickCompiler) sub(v any) *quickRef { return &quickRef{node: qc.compile(v)} }

func (qc *quickCompiler) compile(v any) *quickNode {
	m, ok := v.(map[string]any)
	n := &quickNode{maxLength: -1, maxProps: -1}
	if !ok {
		n.unsupported = true // a boolean schema, or a missing definition
		return n
	}
	for k, e := range m {
		switch k {
		case "description", "title", "$schema", "$id", "$comment", "examples", "default":
		case "$ref":
			s, _ := e.(string)
			name, local := strings.CutPrefix(s, "#/$defs/")
			if _, found := qc.defs[name]; !local || !found {
				n.unsupported = true
				continue
			}
			n.ref = qc.ref(name)
		case "type":
			switch t := e.(type) {
			case string:
				n.types = []string{t}
			case []any:
				for _, x := range t {
					s, _ := x.(string)
					n.types = append(n.types, s)
				}
			}
		case "const":
			s, ok := e.(string)
			n.constVal, n.unsupported = &s, n.unsupported || !ok
		case "enum":
			l, _ := e.([]any)
			for _, x := range l {
				s, ok := x.(string)
				n.enum, n.unsupported = append(n.enum, s), n.unsupported || !ok
			}
			if n.enum == nil {
				n.unsupported = true
			}
		case "properties":
			props, _ := e.(map[string]any)
			n.properties = map[string]*quickRef{}
			for name, p := range props {
				n.properties[name] = qc.sub(p)
			}
		case "required":
			l, _ := e.([]any)
			for _, x := range l {
				s, _ := x.(string)
				n.required = append(n.required, s)
			}
		case "additionalProperties":
			if b, ok := e.(bool); ok {
				n.noAdditional = !b
			} else {
				n.additional = qc.sub(e)
			}
		case "minLength", "maxLength", "minItems", "minProperties", "maxProperties":
			f, ok := e.(float64)
			if !ok || f != float64(int(f)) {
				n.unsupported = true
				continue
			}
			switch k {
			case "minLength":
				n.minLength = int(f)
			case "maxLength":
				n.maxLength = int(f)
			case "minItems":
				n.minItems = int(f)
			case "minProperties":
				n.minProps = int(f)
			case "maxProperties":
				n.maxProps = int(f)
			}
		case "minimum", "maximum":
			f, ok := e.(float64)
			if !ok || f != float64(int64(f)) {
				n.unsupported = true
				continue
			}
			i := int64(f)
			if k == "minimum" {
				n.minimum = &i
			} else {
				n.maximum = &i
			}
		case "pattern":
			s, _ := e.(string)
			re, err := regexp.Compile(s)
			if err != nil {
				n.unsupported = true
				continue
			}
			n.pattern = re
		case "items":
			n.items = qc.sub(e)
		case "propertyNames":
			n.propNames = qc.sub(e)
		case "if":
			n.ifS = qc.sub(e)
		case "then":
			n.thenS = qc.sub(e)
		case "else":
			n.elseS = qc.sub(e)
		case "allOf":
			l, _ := e.([]any)
			for _, x := range l {
				n.allOf = append(n.allOf, qc.sub(x))
			}
		default:
			n.unsupported = true // format, uniqueItems, and any keyword added later
		}
	}
	return n
}

// quickValid reports whether the document surely passes its schema.
func quickValid(d *manifest.Document) bool {
	schemas := loadQuick()
	name := string(d.Kind)
	if d.Kind == manifest.KindCredential {
		m, _ := d.Value.(map[string]any)
		spec, _ := m["spec"].(map[string]any)
		if t, ok := spec["type"].(string); ok && schemas[name+"."+t] != nil {
			name += "." + t
		}
	}
	r := schemas[name]
	if r == nil {
		return false
	}
	valid, sure := r.node.eval(d.Value)
	return valid && sure
}

// eval answers whether v is valid, and whether that answer is sure.
func (n *quickNode) eval(v any) (valid, sure bool) {
	if n.unsupported {
		return false, false
	}
	if n.types != nil {
		ok := false
		for _, t := range n.types {
			if is, known := isType(v, t); !known {
				return false, false
			} else if is {
				ok = true
			}
		}
		if !ok {
			return false, true
		}
	}
	switch x := v.(type) {
	case string:
		if n.constVal != nil && x != *n.constVal {
			return false, true
		}
		if n.enum != nil && !contains(n.enum, x) {
			return false, true
		}
		if n.minLength > 0 || n.maxLength >= 0 {
			l := utf8.RuneCountInString(x)
			if l < n.minLength || n.maxLength >= 0 && l > n.maxLength {
				return false, true
			}
		}
		if n.pattern != nil && !n.pattern.MatchString(x) {
			return false, true
		}
	case map[string]any:
		if n.constVal != nil || n.enum != nil {
			return false, true
		}
		if len(x) < n.minProps || n.maxProps >= 0 && len(x) > n.maxProps {
			return false, true
		}
		for _, k := range n.required {
			if _, ok := x[k]; !ok {
				return false, true
			}
		}
		for k, e := range x {
			if n.propNames != nil {
				if ok, sure := n.propNames.node.eval(k); !ok || !sure {
					return ok, sure
				}
			}
			p, known := n.properties[k]
			switch {
			case known:
			case n.noAdditional:
				return false, true
			case n.additional != nil:
				p = n.additional
			default:
				continue
			}
			if ok, sure := p.node.eval(e); !ok || !sure {
				return ok, sure
			}
		}
	case []any:
		if n.constVal != nil || n.enum != nil {
			return false, true
		}
		if len(x) < n.minItems {
			return false, true
		}
		if n.items != nil {
			for _, e := range x {
				if ok, sure := n.items.node.eval(e); !ok || !sure {
					return ok, sure
				}
			}
		}
	case json.Number:
		if n.constVal != nil || n.enum != nil {
			return false, true
		}
		if n.minimum != nil || n.maximum != nil {
			i, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil {
				return false, false
			}
			if n.minimum != nil && i < *n.minimum || n.maximum != nil && i > *n.maximum {
				return false, true
			}
		}
	default: // bool, nil
		if n.constVal != nil || n.enum != nil {
			return false, true
		}
	}
	if n.ifS != nil {
		ok, sure := n.ifS.node.eval(v)
		if !sure {
			return false, false
		}
		branch := n.thenS
		if !ok {
			branch = n.elseS
		}
		if branch != nil {
			if ok, sure := branch.node.eval(v); !ok || !sure {
				return ok, sure
			}
		}
	}
	for _, s := range n.allOf {
		if ok, sure := s.node.eval(v); !ok || !sure {
			return ok, sure
		}
	}
	if n.ref != nil {
		return n.ref.node.eval(v)
	}
	return true, true
}

// isType reports whether v is of JSON Schema type t; known is false for a
// number quick does not judge (a fraction or an exponent as an integer).
func isType(v any, t string) (is, known bool) {
	switch x := v.(type) {
	case string:
		return t == "string", true
	case bool:
		return t == "boolean", true
	case nil:
		return t == "null", true
	case map[string]any:
		return t == "object", true
	case []any:
		return t == "array", true
	case json.Number:
		switch t {
		case "number":
			return true, true
		case "integer":
			if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return true, true
			}
			return false, false
		}
		return false, true
	}
	return false, false
}
