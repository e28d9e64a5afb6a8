package export

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/resource"
)

// Document is one exported manifest, with the environment variables its
// secret fields read.
type Document struct {
	Key manifest.Key
	// Value is the manifest as JSON values; YAML renders it.
	Value map[string]any
	// Vars lists the fromEnv variables (or, with Options.SopsFile, the keys
	// of that file) the document's secret fields read, with the field.
	Vars []Var
	// Optional lists the optional secret keys of a Seqera credential (and
	// its optional non-secret keys, when the platform shows no keys), left
	// out: Seqera does not show whether they are set, and an update sends
	// every key, so one the live credential has must be added by hand (with
	// the variable named here) or the next update clears it.
	Optional []Var
}

// Var is an environment variable a secret field of an exported manifest reads.
type Var struct {
	Name  string
	Field string
}

// Options say how the secret fields of exported manifests read their values.
type Options struct {
	// SopsFile, when set, makes each secret field a fromSops reference to
	// this file, its key named as the fromEnv variable would be, instead
	// of a fromEnv reference.
	SopsFile string
}

// Namer gives the name a manifest uses for the org unit of a scope and id
// ("team-a", "gpu-b/team-a"), or "" when the id must be written
// (orgunit.Tree implements it).
type Namer interface {
	RefName(scope, id string) string
}

// Objects turns live objects into manifests, sorted by key. Objects that no
// manifest can describe (another user's access key) are skipped; objects
// under another (an access rule under its service account) are written
// into that object's manifest. With a Namer, scopes are written by name
// (project: team-a) where the name identifies the unit; with nil, by id
// (projectId: 12).
func Objects(live []*diff.Object, units Namer, opts Options) ([]Document, error) {
	objs := slices.Clone(live)
	slices.SortFunc(objs, func(a, b *diff.Object) int { return a.Key.Compare(b.Key) })
	x := &exporter{names: &varNames{used: map[string]bool{}}, units: units, opts: opts, under: underObjects(objs)}
	var out []Document
	for _, o := range objs {
		if d, _ := resource.Lookup(o.Key.Kind); d.Under != "" {
			continue
		}
		k := kinds[o.Key.Kind]
		if k.skip != nil && k.skip(o) {
			continue
		}
		doc, err := object(o, k, x)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Key, err)
		}
		out = append(out, doc)
	}
	return out, nil
}

// object builds the manifest of one live object: its attributes at their
// paths, then what its kind writes.
func object(o *diff.Object, k kind, x *exporter) (Document, error) {
	root := map[string]any{"apiVersion": manifest.APIVersion, "kind": string(o.Key.Kind), "metadata": map[string]any{"name": o.Key.Name}}
	doc := Document{Key: o.Key}
	for path, v := range o.Attrs {
		val, err := attrValue(v)
		if err != nil {
			return doc, fmt.Errorf("%s: %w", path, err)
		}
		set(root, path, val)
	}
	if k.write != nil {
		if err := k.write(x, o, &doc, root); err != nil {
			return doc, err
		}
	}
	doc.Value = root
	return doc, nil
}

// attrValue reads an attribute's canonical text: a quoted string, true or
// false, or a JSON list.
func attrValue(v string) (any, error) {
	if strings.HasPrefix(v, `"`) {
		return strconv.Unquote(v)
	}
	var out any
	err := json.Unmarshal([]byte(v), &out)
	return out, err
}

// set puts v at a dotted path such as "spec.workloadSupportedTypes.training".
func set(root map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	m := root
	for _, p := range parts[:len(parts)-1] {
		m = child(m, p)
	}
	m[parts[len(parts)-1]] = v
}

func child(m map[string]any, name string) map[string]any {
	c, ok := m[name].(map[string]any)
	if !ok {
		c = map[string]any{}
		m[name] = c
	}
	return c
}

// varNames hands out unique environment variable names.
type varNames struct{ used map[string]bool }

// name is NAME_FIELD in upper snake case (TEAM_A_S3_SECRET_ACCESS_KEY), made
// unique with the scope and then a number.
func (n *varNames) name(k manifest.Key, field string) string {
	base := envName(k.Name + "_" + snake(field))
	if n.take(base) {
		return base
	}
	if s := k.ScopeString(); s != "" {
		if scoped := envName(k.Name + "_" + s + "_" + snake(field)); n.take(scoped) {
			return scoped
		}
	}
	for i := 2; ; i++ {
		if numbered := base + "_" + strconv.Itoa(i); n.take(numbered) {
			return numbered
		}
	}
}

func (n *varNames) take(name string) bool {
	if n.used[name] {
		return false
	}
	n.used[name] = true
	return true
}

// snake turns secretAccessKey into secret_access_key; ID and API_KEY stay.
func snake(s string) string {
	var b strings.Builder
	var prev rune
	for _, r := range s {
		if r >= 'A' && r <= 'Z' && (prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9') {
			b.WriteByte('_')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// envName upper-cases and replaces what an environment variable name cannot
// hold with underscores.
func envName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}

// refName is the name units give the scope of k, "" without units.
func refName(units Namer, k manifest.Key) string {
	if units == nil || k.ScopeID == "" {
		return ""
	}
	return units.RefName(k.Scope, k.ScopeID)
}

// scopeFields writes the scope's name, or its id under the vendor's name
// and type, into metadata md.
func scopeFields(md map[string]any, k manifest.Key, name string) error {
	if name != "" {
		md[k.Scope] = name
		return nil
	}
	switch k.Scope {
	case manifest.ScopeProject:
		id, err := strconv.Atoi(k.ScopeID)
		if err != nil {
			return fmt.Errorf("project id %q is not a number", k.ScopeID)
		}
		md["projectId"] = id
	case manifest.ScopeDepartment:
		md["departmentId"] = k.ScopeID
	case manifest.ScopeCluster:
		md["clusterId"] = k.ScopeID
	}
	return nil
}
