package manifest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// Limits that keep hostile input from hanging or exhausting the loader.
const (
	// MaxFileSize is the largest manifest file read.
	MaxFileSize = 8 << 20
	// MaxDepth is the deepest nesting of mappings and sequences accepted.
	MaxDepth = 64
	// MaxValues bounds the values of one document after alias expansion.
	MaxValues = 200_000
	// MaxDocuments bounds the documents of one file.
	MaxDocuments = 20_000
	// MaxValueLength bounds one string (a PEM bundle or a key file fits).
	MaxValueLength = 1 << 20
)

const mergeTag = "!!merge"

// converter turns a YAML node tree into JSON values, checking what YAML
// allows but JSON and manifests do not.
type converter struct {
	doc    *Document
	values int
	vars   *Vars // substituted in string values; nil: none
	// stack is the path of the value being converted, kept as one growing
	// slice and turned into a FieldPath only when there is an error: most
	// documents have none, and a FieldPath per value was a tenth of the
	// loader's allocations.
	stack []pathElem
}

// pathElem is one step of the converter's path: a key, or an index.
type pathElem struct {
	key   string
	index int
	isKey bool
}

func (c *converter) push(e pathElem) { c.stack = append(c.stack, e) }
func (c *converter) pop()            { c.stack = c.stack[:len(c.stack)-1] }

// path is the FieldPath of the value being converted.
func (c *converter) path() FieldPath {
	if len(c.stack) == 0 {
		return nil
	}
	p := make(FieldPath, len(c.stack))
	for i, e := range c.stack {
		if e.isKey {
			p[i] = e.key
		} else {
			p[i] = e.index
		}
	}
	return p
}

// smallMapping is the size up to which duplicate keys are found by looking
// back over the keys before (no map to allocate).
const smallMapping = 16

type convError struct {
	node *yaml.Node
	path FieldPath
	msg  string
}

func (e *convError) Error() string { return e.msg }

func (c *converter) fail(n *yaml.Node, format string, args ...any) error {
	return &convError{node: n, path: c.path(), msg: fmt.Sprintf(format, args...)}
}

func (c *converter) value(n *yaml.Node, depth int, aliases int) (any, error) {
	c.values++
	if c.values > MaxValues {
		return nil, c.fail(n, "document expands to more than %d values (anchors and aliases nested too deep?)", MaxValues)
	}
	if depth > MaxDepth {
		return nil, c.fail(n, "nesting deeper than %d levels", MaxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		if aliases > 100 {
			return nil, c.fail(n, "alias chain too long")
		}
		return c.value(n.Alias, depth, aliases+1)
	case yaml.MappingNode:
		return c.mapping(n, depth, aliases)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			c.push(pathElem{index: i})
			v, err := c.value(e, depth+1, aliases)
			c.pop()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		return c.scalar(n)
	}
	return nil, c.fail(n, "unexpected YAML node")
}

func (c *converter) mapping(n *yaml.Node, depth, aliases int) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var seen map[string]*yaml.Node
	if len(n.Content)/2 > smallMapping {
		seen = make(map[string]*yaml.Node, len(n.Content)/2)
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.ShortTag() == mergeTag {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, c.fail(k, "mapping keys must be strings")
		}
		if prev := firstKey(n, i, seen); prev != nil {
			c.push(pathElem{key: k.Value, isKey: true})
			return nil, c.fail(k, "duplicate key %q (first at line %d, column %d)", k.Value, prev.Line, prev.Column)
		}
		if seen != nil {
			seen[k.Value] = k
		}
		c.push(pathElem{key: k.Value, isKey: true})
		val, err := c.value(v, depth+1, aliases)
		c.pop()
		if err != nil {
			return nil, err
		}
		out[internKey(k.Value)] = val
	}
	for _, m := range merges {
		if err := c.merge(out, m, depth, aliases); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// firstKey returns the key before Content[i] of mapping n that has the
// same name (merge keys aside), or nil; seen holds the keys before i when
// the mapping is large.
func firstKey(n *yaml.Node, i int, seen map[string]*yaml.Node) *yaml.Node {
	name := n.Content[i].Value
	if seen != nil {
		return seen[name]
	}
	for j := 0; j < i; j += 2 {
		if k := n.Content[j]; k.Value == name && k.Kind == yaml.ScalarNode && k.ShortTag() != mergeTag {
			return k
		}
	}
	return nil
}

// merge applies a YAML merge key: keys already present win.
func (c *converter) merge(out map[string]any, m *yaml.Node, depth, aliases int) error {
	src := deref(m)
	srcs := []*yaml.Node{src}
	if src.Kind == yaml.SequenceNode {
		srcs = src.Content
	}
	for _, s := range srcs {
		v, err := c.value(s, depth, aliases+1)
		if err != nil {
			return err
		}
		mm, ok := v.(map[string]any)
		if !ok {
			return c.fail(m, "a merge key (<<) takes a mapping or a list of mappings")
		}
		for k, val := range mm {
			if _, exists := out[k]; !exists {
				out[k] = val
			}
		}
	}
	return nil
}

func (c *converter) scalar(n *yaml.Node) (any, error) {
	n, err := c.expandScalar(n, nil)
	if err != nil {
		if ce, ok := err.(*convError); ok && ce.path == nil {
			ce.path = c.path()
		}
		return nil, err
	}
	if len(n.Value) > MaxValueLength {
		return nil, c.fail(n, "value is %.1f MiB long; a value may hold at most %d MiB", float64(len(n.Value))/(1<<20), MaxValueLength>>20)
	}
	switch n.ShortTag() {
	case "!!str", "!!binary", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, c.fail(n, "invalid boolean %q", n.Value)
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return nil, c.fail(n, "integer %s is out of range", n.Value)
		}
		return json.Number(strconv.FormatInt(i, 10)), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, c.fail(n, "%s is not a number JSON can hold", n.Value)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10)), nil
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return nil, c.fail(n, "unsupported YAML tag %s", n.Tag)
}
