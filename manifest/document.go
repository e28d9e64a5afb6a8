package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// Document is one YAML or JSON document of a manifest file: its generic
// value (what the JSON Schema validates), its YAML node tree (which remembers
// the line and column of every field), and once decoded, its typed form.
type Document struct {
	// File is the path as the user gave it (joined with the walked name).
	File string
	// Index counts documents within the file, from 0.
	Index int
	// Start is where the document's content begins.
	Start Position
	// Value is the document as JSON values (map[string]any, []any, string,
	// json.Number, bool, nil).
	Value any
	// APIVersion, Kind and Name are read leniently from Value, for messages.
	APIVersion string
	Kind       Kind
	Name       string
	// Resource is set by Decode for managed kinds, Ownership for Ownership.
	Resource  Resource
	Ownership *Ownership

	// root is the YAML node tree of the document while it is converted;
	// afterwards it is dropped and src parses the file again if a position
	// is ever asked for (only diagnostics need one), so that ten thousand
	// documents do not keep ten thousand node trees.
	root *yaml.Node
	src  *source
	// dropped is set by DropValue: Generic converts the text again.
	dropped bool
}

// source is the text of one file, shared by its documents (a string: the
// fast parser's values are slices of it).
type source struct {
	text  string
	vars  *Vars
	once  sync.Once
	roots []*yaml.Node
	// values are the documents' values converted again, for the documents
	// whose Value was dropped (DropValue), once one is asked for.
	valuesOnce sync.Once
	values     []any
}

// value returns the value of document i, converting the file again once.
func (s *source) value(i int) any {
	s.valuesOnce.Do(func() {
		if fast, ok := fastDocuments(s.text, s.vars); ok {
			// As parse read it: Canonical of ten thousand documents
			// (saved plans) must not parse them all with yaml/v3.
			s.values = make([]any, len(fast))
			for j, f := range fast {
				s.values[j] = f.value
			}
			return
		}
		s.node(0)
		s.values = make([]any, len(s.roots))
		for j, root := range s.roots {
			c := &converter{vars: s.vars}
			s.values[j], _ = c.value(root, 0, 0)
		}
	})
	if i < 0 || i >= len(s.values) {
		return nil
	}
	return s.values[i]
}

// DropValue lets go of Value once everything that reads it on every
// document has run (package schema validates each document as soon as its
// file is read, then drops it): Generic, Has and Canonical convert the
// file's text again if they are ever asked, so that a hundred thousand
// documents do not keep a hundred thousand generic values.
func (d *Document) DropValue() {
	if d.src != nil && d.Value != nil {
		d.Value, d.dropped = nil, true
	}
}

// Generic returns Value, converted again from the file's text if
// DropValue dropped it.
func (d *Document) Generic() any {
	if d.dropped {
		return d.src.value(d.Index)
	}
	return d.Value
}

// node returns the content node of document i, parsing the file once.
func (s *source) node(i int) *yaml.Node {
	s.once.Do(func() { s.roots, _ = splitDocuments([]byte(s.text)) })
	if i < 0 || i >= len(s.roots) {
		return nil
	}
	return s.roots[i]
}

// tree is the document's node tree, parsed again if it was dropped.
func (d *Document) tree() *yaml.Node {
	if d.root != nil || d.src == nil {
		return d.root
	}
	return d.src.node(d.Index)
}

// Pos returns the position of the value at path, or of its nearest ancestor
// present in the document.
func (d *Document) Pos(path FieldPath) Position {
	n, _, _ := d.lookup(path)
	return d.position(n)
}

// KeyPos returns the position of the mapping key that ends path (useful for a
// field that should not be there), or Pos when path does not end at a key.
func (d *Document) KeyPos(path FieldPath) Position {
	n, key, found := d.lookup(path)
	if found && key != nil {
		return d.position(key)
	}
	return d.position(n)
}

// Has reports whether the document holds a value at path (merge keys and
// aliases applied).
func (d *Document) Has(path FieldPath) bool {
	_, ok := d.At(path)
	return ok
}

// At returns the generic value at path (merge keys and aliases
// applied); ok is false when the document holds none there.
func (d *Document) At(path FieldPath) (v any, ok bool) {
	v = d.Generic()
	for _, e := range path {
		switch k := e.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[k]; !ok {
				return nil, false
			}
		case int:
			l, ok := v.([]any)
			if !ok || k < 0 || k >= len(l) {
				return nil, false
			}
			v = l[k]
		}
	}
	return v, true
}

func (d *Document) position(n *yaml.Node) Position {
	if n == nil {
		return d.Start
	}
	return Position{File: d.File, Line: n.Line, Column: n.Column}
}

// lookup walks the node tree. It returns the deepest node reached, the key
// node of the last mapping step, and whether the whole path was found.
func (d *Document) lookup(path FieldPath) (node, key *yaml.Node, found bool) {
	n := d.tree()
	if n == nil {
		return nil, nil, false
	}
	for _, e := range path {
		n = deref(n)
		var next, k *yaml.Node
		switch v := e.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				k, next = findKey(n, v)
			}
		case int:
			if n.Kind == yaml.SequenceNode && v >= 0 && v < len(n.Content) {
				next = n.Content[v]
			}
		}
		if next == nil {
			return n, nil, false
		}
		n, key = next, k
	}
	return n, key, true
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// findKey finds a key in a mapping, looking into merged mappings (<<) last.
func findKey(m *yaml.Node, name string) (key, value *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Value == name && k.ShortTag() != mergeTag {
			return k, m.Content[i+1]
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].ShortTag() != mergeTag {
			continue
		}
		v := deref(m.Content[i+1])
		srcs := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			srcs = v.Content
		}
		for _, s := range srcs {
			if s = deref(s); s.Kind == yaml.MappingNode {
				if k, val := findKey(s, name); k != nil {
					return k, val
				}
			}
		}
	}
	return nil, nil
}

// Decode fills Resource (or Ownership) from Value. A value of the wrong type
// (which the JSON Schema rejects too) is an error, but the other fields are
// still filled.
func (d *Document) Decode() error {
	if err := d.decode(true); !errors.Is(err, errSlowPath) {
		return err
	}
	return d.decode(false)
}

// decode is Decode straight from Value (fast: decodeFast, which may answer
// errSlowPath) or through its JSON text.
func (d *Document) decode(fast bool) error {
	newTarget, ok := decoders[d.Kind]
	if !ok {
		return fmt.Errorf("unknown kind %q", d.Kind)
	}
	target := newTarget(d)
	if fast {
		return decodeFast(d.Value, reflect.ValueOf(target).Elem())
	}
	raw, err := json.Marshal(d.Value)
	if err != nil {
		d.Resource, d.Ownership = nil, nil
		return err
	}
	// encoding/json skips values of the wrong type and fills the rest, so a
	// document that failed the schema still decodes as far as it can and
	// its other fields can be checked in the same run.
	return json.Unmarshal(raw, target)
}

// String names the document for messages: "Credential team-a-s3 (file:line:col)".
func (d *Document) String() string {
	return string(d.Kind) + " " + strconv.Quote(d.Name) + " at " + d.Start.String()
}
