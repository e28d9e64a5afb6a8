package manifest

import (
	"cmp"
	"slices"
	"strings"
)

// Severity tells an error from a warning.
type Severity int

// Severities.
const (
	SeverityError Severity = iota
	SeverityWarning
)

// Diagnostic is one problem found in the manifests, tied to a place and a
// field. It never holds a secret value.
type Diagnostic struct {
	Severity Severity
	Pos      Position
	Path     FieldPath
	Message  string
}

// String renders "file:line:col: field.path: message", with "warning: " before
// the message of a warning and no field path when the problem is not in a
// field (a syntax error, say).
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	if p := d.Path.String(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	if d.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is a list of problems.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == SeverityError })
}

// Errors counts the errors.
func (ds Diagnostics) Errors() int {
	n := 0
	for _, d := range ds {
		if d.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Sort orders by file, line, column, field path, then message, and drops
// exact repeats. Each diagnostic is rendered once, not per comparison.
func (ds Diagnostics) Sort() Diagnostics {
	type keyed struct {
		d    Diagnostic
		path string
		text string
	}
	ks := make([]keyed, len(ds))
	for i, d := range ds {
		ks[i] = keyed{d: d, path: d.Path.String()}
		ks[i].text = d.String()
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(
			cmp.Compare(a.d.Pos.File, b.d.Pos.File),
			cmp.Compare(a.d.Pos.Line, b.d.Pos.Line),
			cmp.Compare(a.d.Pos.Column, b.d.Pos.Column),
			cmp.Compare(a.path, b.path),
			cmp.Compare(a.d.Message, b.d.Message),
		)
	})
	ks = slices.CompactFunc(ks, func(a, b keyed) bool { return a.text == b.text })
	out := ds[:0]
	for _, k := range ks {
		out = append(out, k.d)
	}
	return out
}

// Error joins the diagnostics one per line, so Diagnostics can be returned as
// an error.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
