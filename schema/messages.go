package schema

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/runai-sync/runai-sync/manifest"
)

// ruleText explains the pattern of a schema definition in words.
var ruleText = map[string]string{
	"identityName":     "must be 2 to 255 characters: lowercase letters, digits, '-' and '_', starting with a letter and ending with a letter or digit",
	"clusterId":        "must be a UUID such as 4f7ab1d2-3c5e-4b8a-9d10-1e2f3a4b5c6d",
	"project":          "must be a project name (team-a), or CLUSTER/PROJECT (gpu-b/team-a) when the name is found in several clusters",
	"fromEnv":          "must be an environment variable name: letters, digits and '_', not starting with a digit",
	"keyValuePairs":    "keys may hold only letters, digits, '-', '.' and '_'",
	"tenantName":       "must be lowercase letters, digits, '-' and '_', starting with a letter",
	"Tenant":           "must be an http or https URL such as https://acme.run.ai",
	"commandReference": "must be a duration such as 10s, 1m30s or 500ms",
}

// translate turns one leaf error of the validator into diagnostics that name
// the field and say what to do.
func (c *compiled) translate(d *manifest.Document, ve *jsonschema.ValidationError) manifest.Diagnostics {
	path := instancePath(d, ve.InstanceLocation)
	frag := ve.SchemaURL
	if i := strings.Index(frag, "#"); i >= 0 {
		frag = frag[i+1:]
	}
	toks := splitPointer(frag)
	schema := c.at(frag)
	def := ""
	if len(toks) > 1 && toks[0] == "$defs" {
		def = toks[1]
	}
	at := func(p manifest.FieldPath, msg string) manifest.Diagnostics {
		return manifest.Diagnostics{{Pos: d.Pos(p), Path: p, Message: msg}}
	}
	value := valueAt(d.Value, path)
	inSecret := def == "secretReference" || def == "secret"

	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		var ds manifest.Diagnostics
		for _, m := range k.Missing {
			ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(path), Path: path.Append(m), Message: "required field is missing"})
		}
		return ds
	case *kind.AdditionalProperties:
		allowed := propertyNames(schema)
		var ds manifest.Diagnostics
		for _, name := range k.Properties {
			p := path.Append(name)
			ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(p), Path: p, Message: unknownField(name, allowed, def)})
		}
		return ds
	case *kind.Type:
		if inSecret {
			return at(path, "a secret field takes a string or exactly one of "+manifest.Forms)
		}
		want := strings.Join(k.Want, " or ")
		if s, ok := value.(string); ok && want == "boolean" {
			return at(path, fmt.Sprintf("must be true or false, not the string %q (YAML 1.2 reads yes/no/on/off as strings)", s))
		}
		return at(path, fmt.Sprintf("must be %s, not %s", article(want), article(k.Got)))
	case *kind.MinProperties, *kind.MaxProperties:
		if inSecret {
			return at(path, "give exactly one of "+manifest.Forms)
		}
		return at(path, "must hold at least one entry")
	case *kind.Const:
		return at(path, fmt.Sprintf("must be %s, not %s", show(schema["const"]), show(value)))
	case *kind.Enum:
		return at(path, enumMessage(value, schema["enum"]))
	case *kind.MinLength:
		if k.Want <= 1 {
			return at(path, "must not be empty")
		}
		return at(path, fmt.Sprintf("must be at least %d characters (got %d)", k.Want, k.Got))
	case *kind.MaxLength:
		return at(path, fmt.Sprintf("must be at most %d characters (got %d)", k.Want, k.Got))
	case *kind.Pattern, *kind.Format:
		rule := ruleText[def]
		if r, ok := ruleText[lastString(path)]; ok && def == "secretReference" {
			rule = r
		}
		if strings.Contains(frag, "propertyNames") || def == "CredentialSpec.genericSecret" {
			rule = ruleText["keyValuePairs"]
		}
		if rule == "" {
			rule = "does not match " + fmt.Sprint(schema["pattern"])
		}
		if p, ok := ve.ErrorKind.(*kind.Pattern); ok && strings.Contains(frag, "propertyNames") {
			return at(path, fmt.Sprintf("key %q: %s", p.Got, rule))
		}
		return at(path, fmt.Sprintf("%s: %s", show(value), rule))
	case *kind.Minimum:
		return at(path, fmt.Sprintf("must be at least %s, not %s", k.Want.RatString(), show(value)))
	case *kind.Maximum:
		return at(path, fmt.Sprintf("must be at most %s, not %s", k.Want.RatString(), show(value)))
	case *kind.MinItems:
		return at(path, "must hold at least one item")
	case *kind.UniqueItems:
		return at(path, "holds the same item twice")
	case *kind.FalseSchema:
		return at(path, "not allowed here")
	}
	return at(path, ve.Error())
}

func unknownField(name string, allowed []string, def string) string {
	msg := fmt.Sprintf("unknown field %q", name)
	if strings.HasPrefix(def, "CredentialSpec.") {
		msg += " for type " + strings.TrimPrefix(def, "CredentialSpec.")
	}
	if strings.HasPrefix(def, "SeqeraKeys.") {
		msg += " for provider " + strings.TrimPrefix(def, "SeqeraKeys.")
	}
	if near := nearest(name, allowed); near != "" {
		return msg + fmt.Sprintf("; did you mean %q?", near)
	}
	if len(allowed) > 0 {
		msg += "; allowed: " + strings.Join(allowed, ", ")
	}
	return msg
}

func enumMessage(value, enum any) string {
	list, _ := enum.([]any)
	names := make([]string, 0, len(list))
	for _, e := range list {
		names = append(names, fmt.Sprint(e))
	}
	s, _ := value.(string)
	msg := fmt.Sprintf("%s is not one of %s", show(value), joinQuoted(names))
	if near := nearest(s, names); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return msg
}

func propertyNames(schema map[string]any) []string {
	props, _ := schema["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func valueAt(v any, p manifest.FieldPath) any {
	for _, e := range p {
		switch k := e.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func lastString(p manifest.FieldPath) string {
	if len(p) == 0 {
		return ""
	}
	s, _ := p[len(p)-1].(string)
	return s
}

// show prints a JSON value for a message: strings quoted, long ones cut.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 60 {
			x = x[:57] + "..."
		}
		return strconv.Quote(x)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func article(jsonType string) string {
	parts := strings.Split(jsonType, " or ")
	for i, p := range parts {
		switch p {
		case "object":
			parts[i] = "a mapping"
		case "array":
			parts[i] = "a list"
		case "null":
			parts[i] = "null"
		case "integer":
			parts[i] = "an integer"
		default:
			parts[i] = "a " + p
		}
	}
	return strings.Join(parts, " or ")
}

func joinQuoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
