package schema

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/runai-sync/runai-sync/manifest"
)

// checkAlone runs the checks of more than one field that read only the
// document itself, its generic value among them: LoadWith runs them as soon
// as the document is read, before the value is dropped.
func checkAlone(d *manifest.Document) manifest.Diagnostics {
	var ds manifest.Diagnostics
	switch v := d.Resource.(type) {
	case *manifest.Credential:
		ds = append(ds, CheckScope(d, manifest.FieldPath{"metadata"}, v.Metadata.Scope)...)
		ds = append(ds, checkCredentialSpec(v)...)
	case *manifest.ServiceAccount:
		ds = append(ds, checkAccessRules(v)...)
	}
	if d.Ownership != nil {
		ds = append(ds, checkOwnership(d.Ownership)...)
	}
	return ds
}

// checkSet runs the checks that need more than one document.
func checkSet(set *manifest.Set) manifest.Diagnostics {
	var ds manifest.Diagnostics
	names := &nameIndex{set: set}
	for _, r := range set.Resources {
		ds = append(ds, checkSecrets(set, names, r)...)
	}
	ds = append(ds, checkDuplicates(set)...)
	ds = append(ds, checkSecretFiles(set)...)
	ds = append(ds, checkCycles(set)...)
	return ds
}

// scopeFields maps each scope to the id field and the name field it takes
// (one of the two).
var scopeFields = map[string][2]string{
	manifest.ScopeTenant:     {"", ""},
	manifest.ScopeCluster:    {"clusterId", "cluster"},
	manifest.ScopeDepartment: {"departmentId", "department"},
	manifest.ScopeProject:    {"projectId", "project"},
}

// CheckScope checks that a scope has exactly the id or the name it needs,
// under base. It looks at which fields the document holds, so that a value
// of the wrong type (reported by the schema) is not also reported as
// missing. Other kinds with a scope (access rules) call it too.
func CheckScope(d *manifest.Document, base manifest.FieldPath, scope string) manifest.Diagnostics {
	want, known := scopeFields[scope]
	if !known {
		return nil // the schema reports the scope itself
	}
	var ds manifest.Diagnostics
	// The fields under base, looked up once: a set of 10,000 documents
	// checks its scopes on the loader's path.
	under, _ := d.At(base)
	fields, _ := under.(map[string]any)
	has := func(f string) bool { _, ok := fields[f]; return ok }
	switch {
	case want[0] == "":
	case !has(want[0]) && !has(want[1]):
		ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(base.Append("scope")), Path: base.Append(want[1]),
			Message: fmt.Sprintf("required when scope is %q: give the %s's name in %s, or its id in %s", scope, scope, want[1], want[0])})
	case has(want[0]) && has(want[1]):
		name := base.Append(want[1])
		ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(name), Path: name,
			Message: fmt.Sprintf("give %s or %s, not both", want[1], want[0])})
	}
	for _, f := range []string{"clusterId", "departmentId", "projectId", "cluster", "department", "project"} {
		if f == want[0] || f == want[1] || !has(f) {
			continue
		}
		p := base.Append(f)
		msg := fmt.Sprintf("not allowed when scope is %q", scope)
		if want[0] == "" {
			msg += "; a tenant scope takes no id or name"
		} else {
			msg += fmt.Sprintf("; that scope takes only %s or %s", want[1], want[0])
		}
		ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(p), Path: p, Message: msg})
	}
	return ds
}

// inline lists, per credential type, the fields given when no
// existingSecretName is used; all are required then.
var inline = map[string][]string{
	manifest.TypeAccessKey:      {"accessKeyId", "secretAccessKey"},
	manifest.TypePassword:       {"user", "password"},
	manifest.TypeDockerRegistry: {"user", "password", "url"},
	manifest.TypeGenericSecret:  {"keyValuePairs"},
	manifest.TypeNGCAPIKey:      {"ngc_api_key"},
}

var ngcKey = regexp.MustCompile(`^[-._A-Za-z0-9]+$`)

func checkCredentialSpec(c *manifest.Credential) manifest.Diagnostics {
	d := c.Document()
	var ds manifest.Diagnostics
	fields, known := inline[c.Spec.Type]
	if !known {
		return nil // the schema reports the type itself
	}
	if c.Spec.ExistingSecretName != "" {
		for _, f := range fields {
			p := manifest.FieldPath{"spec", f}
			if d.Has(p) {
				ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(p), Path: p,
					Message: "cannot be combined with existingSecretName: the values come from that secret in the cluster; remove one of them"})
			}
		}
		return ds
	}
	spec, _ := d.Generic().(map[string]any)["spec"].(map[string]any)
	for _, f := range fields {
		p := manifest.FieldPath{"spec", f}
		if !d.Has(p) && !hasNearMiss(spec, f) {
			ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(manifest.FieldPath{"spec"}), Path: p,
				Message: fmt.Sprintf("required for type %s (or give existingSecretName)", c.Spec.Type)})
		}
	}
	if r := c.Spec.NGCAPIKey; r != nil && r.IsLiteral() && !ngcKey.MatchString(r.Literal.Reveal()) {
		p := manifest.FieldPath{"spec", "ngc_api_key"}
		ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p, Message: "an NGC API key holds only letters, digits, '-', '.' and '_'"})
	}
	return ds
}

// checkSecrets warns on literal secrets and checks references to other
// resources of the set.
func checkSecrets(set *manifest.Set, names *nameIndex, r manifest.Resource) manifest.Diagnostics {
	d := r.Document()
	var ds manifest.Diagnostics
	for _, f := range r.Secrets() {
		if f.Ref.IsLiteral() {
			ds = append(ds, manifest.Diagnostic{Severity: manifest.SeverityWarning, Pos: d.Pos(f.Path), Path: f.Path,
				Message: "plaintext secret in git; use fromEnv, fromFile, fromSops or fromCommand"})
		}
		if c := f.Ref.FromCommand; c != nil {
			if _, err := c.Duration(); err != nil {
				p := f.Path.Append("fromCommand", "timeout")
				ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p, Message: err.Error()})
			}
		}
	}
	if sc, ok := r.(*manifest.SeqeraCredential); ok {
		ds = append(ds, checkSeqeraRefs(sc)...)
	}
	for _, f := range refsOf(r) {
		kind, ref := f.Ref.Output()
		if set.Find(kind, ref.Name) != nil {
			continue
		}
		field := "fromServiceAccount"
		if kind == manifest.KindAccessKey {
			field = "fromAccessKey"
		}
		p := f.Path.Append(field, "name")
		msg := fmt.Sprintf("%s %q is not in the manifest set", kind, ref.Name)
		if near := names.nearest(ref.Name, kind); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		} else {
			msg += fmt.Sprintf("; add %s named %q, or fix the name", withArticle(string(kind)), ref.Name)
		}
		ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p, Message: msg})
	}
	return ds
}

// refsOf lists every field of r that takes its value from another resource,
// secret or not (Seqera keys that are not secret may reference too).
func refsOf(r manifest.Resource) []manifest.SecretField {
	var all []manifest.SecretField
	if s, ok := r.(*manifest.SeqeraCredential); ok {
		keys := make([]string, 0, len(s.Spec.Keys))
		for k := range s.Spec.Keys {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			all = append(all, manifest.SecretField{Path: manifest.FieldPath{"spec", "keys", k}, Ref: s.Spec.Keys[k]})
		}
	} else {
		all = r.Secrets()
	}
	var out []manifest.SecretField
	for _, f := range all {
		if _, ref := f.Ref.Output(); ref != nil {
			out = append(out, f)
		}
	}
	return out
}

// nameIndex lists the names of each kind of a set once, for the
// suggestions of every missing reference (listing them for each made
// validating many documents quadratic), and stops suggesting after
// maxSuggestions: past the cap on errors nobody reads them.
type nameIndex struct {
	set         *manifest.Set
	byKind      map[manifest.Kind][]string
	suggestions int
}

const maxSuggestions = 1000

func (n *nameIndex) nearest(name string, kind manifest.Kind) string {
	if n.suggestions++; n.suggestions > maxSuggestions {
		return ""
	}
	if n.byKind == nil {
		n.byKind = map[manifest.Kind][]string{}
	}
	names, ok := n.byKind[kind]
	if !ok {
		names = namesOf(n.set, kind)
		n.byKind[kind] = names
	}
	return nearest(name, names)
}

func namesOf(set *manifest.Set, kind manifest.Kind) []string {
	var names []string
	for _, r := range set.Resources {
		if k := r.Key(); k.Kind == kind {
			names = append(names, k.Name)
		}
	}
	return names
}

func checkOwnership(o *manifest.Ownership) manifest.Diagnostics {
	d := o.Document()
	var ds manifest.Diagnostics
	globs := func(base manifest.FieldPath, names []string) {
		for i, g := range names {
			if _, err := path.Match(g, ""); err != nil {
				p := base.Append("names", i)
				ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p, Message: fmt.Sprintf("%q is not a valid glob: %v", g, err)})
			}
		}
	}
	for i, s := range o.Spec.Credentials {
		base := manifest.FieldPath{"spec", "credentials", i}
		ds = append(ds, CheckScope(d, base, s.Scope)...)
		globs(base, s.Names)
	}
	if s := o.Spec.ServiceAccounts; s != nil {
		globs(manifest.FieldPath{"spec", "serviceAccounts"}, s.Names)
	}
	if s := o.Spec.AccessKeys; s != nil {
		globs(manifest.FieldPath{"spec", "accessKeys"}, s.Names)
	}
	for i, s := range o.Spec.SeqeraCredentials {
		globs(manifest.FieldPath{"spec", "seqeraCredentials", i}, s.Names)
	}
	for _, list := range []string{"ignore", "protect"} {
		rules := o.Spec.Ignore
		if list == "protect" {
			rules = o.Spec.Protect
		}
		for i, r := range rules {
			base := manifest.FieldPath{"spec", list, i}
			globs(base, r.Names)
			if r.Type != "" && r.Kind != manifest.KindCredential {
				p := base.Append("type")
				ds = append(ds, manifest.Diagnostic{Pos: d.KeyPos(p), Path: p, Message: fmt.Sprintf("only a Credential rule takes a type, not a %s rule", r.Kind)})
			}
		}
	}
	s := o.Spec
	if len(s.Credentials) == 0 && s.ServiceAccounts == nil && s.AccessKeys == nil && len(s.SeqeraCredentials) == 0 {
		p := manifest.FieldPath{"spec"}
		ds = append(ds, manifest.Diagnostic{Severity: manifest.SeverityWarning, Pos: d.KeyPos(p), Path: p,
			Message: "owns nothing: add credentials, serviceAccounts, accessKeys or seqeraCredentials selectors, or --prune will delete nothing"})
	}
	return ds
}

// checkDuplicates reports a second document with the key of an earlier one,
// naming both places.
func checkDuplicates(set *manifest.Set) manifest.Diagnostics {
	var ds manifest.Diagnostics
	first := make(map[manifest.Key]*manifest.Document, len(set.Resources))
	for _, r := range set.Resources {
		k, d := r.Key(), r.Document()
		if prev, dup := first[k]; dup {
			p := manifest.FieldPath{"metadata", "name"}
			ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p,
				Message: fmt.Sprintf("duplicate %s: also defined at %s", k, prev.Pos(p))})
			continue
		}
		first[k] = d
	}
	owners := map[string]*manifest.Document{}
	for _, o := range set.Ownerships {
		d := o.Document()
		p := manifest.FieldPath{"metadata", "name"}
		if prev, dup := owners[o.Metadata.Name]; dup {
			ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p,
				Message: fmt.Sprintf("duplicate Ownership %s: also defined at %s", o.Metadata.Name, prev.Pos(p))})
			continue
		}
		owners[o.Metadata.Name] = d
	}
	return ds
}

// checkSecretFiles refuses two resources writing the same secret file.
func checkSecretFiles(set *manifest.Set) manifest.Diagnostics {
	var ds manifest.Diagnostics
	first := map[string]*manifest.Document{}
	p := manifest.FieldPath{"spec", "secretFile"}
	for _, r := range set.Resources {
		var file string
		switch v := r.(type) {
		case *manifest.ServiceAccount:
			file = v.Spec.SecretFile
		case *manifest.AccessKey:
			file = v.Spec.SecretFile
		}
		if file == "" {
			continue
		}
		key := path.Clean(strings.ReplaceAll(file, "\\", "/"))
		if prev, dup := first[key]; dup {
			ds = append(ds, manifest.Diagnostic{Pos: r.Document().Pos(p), Path: p,
				Message: fmt.Sprintf("%s also receives the secret of %s %s (%s); give each its own file", file, prev.Kind, prev.Name, prev.Pos(p))})
			continue
		}
		first[key] = r.Document()
	}
	return ds
}

// checkCycles reports references that lead back to where they start. The
// ordering of apply relies on the reference graph having no cycle.
func checkCycles(set *manifest.Set) manifest.Diagnostics {
	graph := map[manifest.Key][]Edge{}
	for _, r := range set.Resources {
		for _, f := range refsOf(r) {
			kind, ref := f.Ref.Output()
			if target := set.Find(kind, ref.Name); target != nil {
				graph[r.Key()] = append(graph[r.Key()], Edge{To: target.Key(), Path: f.Path})
			}
		}
	}
	var ds manifest.Diagnostics
	var byKey map[manifest.Key]manifest.Resource
	for _, cycle := range FindCycles(graph) {
		if byKey == nil {
			byKey = map[manifest.Key]manifest.Resource{}
			for _, r := range set.Resources {
				byKey[r.Key()] = r
			}
		}
		r := byKey[cycle[0].From]
		names := make([]string, 0, len(cycle)+1)
		for _, e := range cycle {
			names = append(names, e.From.String())
		}
		names = append(names, cycle[0].From.String())
		ds = append(ds, manifest.Diagnostic{Pos: r.Document().Pos(cycle[0].Path), Path: cycle[0].Path,
			Message: "reference cycle: " + strings.Join(names, " -> ")})
	}
	return ds
}

// withArticle puts "a" or "an" before a noun.
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("AEIOUaeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// hasNearMiss reports whether m holds a key that is a likely typo of field;
// the schema already reports it with a suggestion.
func hasNearMiss(m map[string]any, field string) bool {
	for k := range m {
		if k != field && nearest(k, []string{field}) != "" {
			return true
		}
	}
	return false
}

// checkSeqeraRefs refuses a value known only during the apply in a key that
// is not secret: plans show and compare such keys as text, so their value
// must be known when planning.
func checkSeqeraRefs(s *manifest.SeqeraCredential) manifest.Diagnostics {
	var ds manifest.Diagnostics
	for _, k := range slices.Sorted(maps.Keys(s.Spec.Keys)) {
		f, known := manifest.SeqeraKeyField(s.Spec.Provider, k)
		kind, ref := s.Spec.Keys[k].Output()
		if !known || f.Secret || ref == nil {
			continue
		}
		p := manifest.FieldPath{"spec", "keys", k}
		ds = append(ds, manifest.Diagnostic{Pos: s.Document().Pos(p), Path: p,
			Message: fmt.Sprintf("%s is not a secret key of provider %s, so its value must be known when planning: it cannot come from %s %s", k, s.Spec.Provider, kind, ref.Name)})
	}
	return ds
}
