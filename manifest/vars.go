package manifest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Vars are the values a tenant gives to the variables of shared manifests:
// ${tenant} is its name and ${vars.NAME} one of its variables. The loader
// substitutes them in string values (never in keys) before validation, so
// the JSON Schema and every check see the tenant's values; positions stay
// those of the file. $${ is a literal ${.
type Vars struct {
	// Tenant is the value of ${tenant}.
	Tenant string
	// Values holds ${vars.NAME}.
	Values map[string]string
}

// VarError is a variable that cannot be substituted; Offset is where its ${
// starts in the value, in bytes.
type VarError struct {
	Offset int
	Msg    string
}

func (e *VarError) Error() string { return e.Msg }

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidVarName reports whether name can follow "vars.".
func ValidVarName(name string) bool { return varName.MatchString(name) }

// Expand substitutes the variables of s. A ${ that does not close, names an
// unknown variable, or holds anything but tenant or vars.NAME is an error
// that names the variables there are.
func (v *Vars) Expand(s string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		if j > i && s[j-1] == '$' { // $${ is a literal ${
			b.WriteString(s[i : j-1])
			b.WriteString("${")
			i = j + 2
			continue
		}
		b.WriteString(s[i:j])
		end := strings.IndexByte(s[j:], '}')
		if end < 0 {
			return "", &VarError{Offset: j, Msg: "${ is not closed; write ${tenant} or ${vars.NAME}, or $${ for a literal ${"}
		}
		name := s[j+2 : j+end]
		val, err := v.lookup(name)
		if err != nil {
			return "", &VarError{Offset: j, Msg: err.Error()}
		}
		b.WriteString(val)
		i = j + end + 1
	}
	return b.String(), nil
}

func (v *Vars) lookup(name string) (string, error) {
	if name == "tenant" {
		return v.Tenant, nil
	}
	if n, ok := strings.CutPrefix(name, "vars."); ok {
		if val, ok := v.Values[n]; ok {
			return val, nil
		}
		return "", fmt.Errorf("unknown variable ${%s}: tenant %q has %s; add %s to its vars (or to defaults.vars)", name, v.Tenant, v.known(), n)
	}
	return "", fmt.Errorf("unknown variable ${%s}: use ${tenant} or ${vars.NAME} (%s), or $${ for a literal ${", name, v.known())
}

func (v *Vars) known() string {
	if len(v.Values) == 0 {
		return "no vars"
	}
	names := make([]string, 0, len(v.Values))
	for n := range v.Values {
		names = append(names, "${vars."+n+"}")
	}
	slices.Sort(names)
	return "vars " + strings.Join(names, ", ")
}

// expandScalar returns a string scalar with its variables substituted. A
// plain (unquoted, untagged) scalar is typed again from its new text, so
// that projectId: ${vars.project} becomes a number; a quoted one stays a
// string. The node itself is not changed: aliases share it.
func (c *converter) expandScalar(n *yaml.Node, path FieldPath) (*yaml.Node, error) {
	if c.vars == nil || !strings.Contains(n.Value, "${") || n.ShortTag() != "!!str" {
		return n, nil
	}
	out, err := c.vars.Expand(n.Value)
	if err != nil {
		ve := err.(*VarError)
		return nil, &convError{node: varNode(n, ve.Offset), path: path, msg: ve.Msg}
	}
	cp := *n
	cp.Value = out
	if n.Style == 0 {
		cp.Tag = ""
	}
	return &cp, nil
}

// varNode returns a node positioned at the variable: exact on the line of a
// plain or quoted scalar that starts there; for block scalars the line is
// counted and the column is the scalar's own.
func varNode(n *yaml.Node, off int) *yaml.Node {
	before := n.Value[:off]
	at := *n
	switch n.Style {
	case 0, yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		if !strings.Contains(before, "\n") {
			at.Column = n.Column + utf8.RuneCountInString(before)
			if n.Style != 0 {
				at.Column++
			}
		}
	case yaml.LiteralStyle:
		at.Line = n.Line + 1 + strings.Count(before, "\n")
	}
	return &at
}
