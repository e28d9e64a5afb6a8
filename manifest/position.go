package manifest

import (
	"fmt"
	"strconv"
	"strings"
)

// Position is a place in a manifest file; Line and Column start at 1.
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// String is "file:line:col".
func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }

// FieldPath locates a field inside a document: each element is a mapping key
// (string) or a sequence index (int).
type FieldPath []any

// Append returns a new path with more elements.
func (p FieldPath) Append(elems ...any) FieldPath {
	out := make(FieldPath, 0, len(p)+len(elems))
	return append(append(out, p...), elems...)
}

// plainKey reports whether a key prints without quotes in a path.
func plainKey(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// String renders the path as "spec.credentials[0].projectId"; keys that are
// not plain identifiers are quoted: spec.keyValuePairs["a.b"].
func (p FieldPath) String() string {
	var b strings.Builder
	for _, e := range p {
		switch v := e.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(v) + "]")
		case string:
			if !plainKey(v) {
				b.WriteString("[" + strconv.Quote(v) + "]")
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}
