package schema

import (
	"fmt"
	"strconv"

	"github.com/runai-sync/runai-sync/manifest"
)

// checkAccessRules checks the access rules of a service account offline:
// each scope has the id or the name it needs, and no rule is listed twice.
func checkAccessRules(s *manifest.ServiceAccount) manifest.Diagnostics {
	d := s.Document()
	var ds manifest.Diagnostics
	bad := map[int]bool{}
	for i, r := range s.Spec.AccessRules {
		base := manifest.FieldPath{"spec", "accessRules", i}
		scope := CheckScope(d, base, r.Scope)
		bad[i] = len(scope) > 0
		ds = append(ds, scope...)
	}
	return append(ds, DuplicateAccessRules(s, func(i int) bool { return !bad[i] }, "")...)
}

// DuplicateAccessRules reports each access rule of s that an earlier rule
// of s repeats (the same role on the same scope), at the later one, naming
// the earlier one's place. Scopes compare by ScopeID, so offline a name and
// an id differ and after resolution (package orgunit) they are the same;
// hint ends the message. Only rules for which use(i) holds take part.
func DuplicateAccessRules(s *manifest.ServiceAccount, use func(i int) bool, hint string) manifest.Diagnostics {
	type ruleKey struct{ role, scope, id string }
	d := s.Document()
	var ds manifest.Diagnostics
	first := map[ruleKey]int{}
	for i, r := range s.Spec.AccessRules {
		if r.Role == "" || !use(i) {
			continue
		}
		k := ruleKey{r.Role, r.Scope, r.ScopeID()}
		j, dup := first[k]
		if !dup {
			first[k] = i
			continue
		}
		p := manifest.FieldPath{"spec", "accessRules", i}
		ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p,
			Message: fmt.Sprintf("role %s on %s is listed twice: also at %s (spec.accessRules[%d]); remove one%s",
				strconv.Quote(r.Role), scopeText(r.ScopeRef), d.Pos(manifest.FieldPath{"spec", "accessRules", j}), j, hint)})
	}
	return ds
}

// scopeText names a scope for messages: "tenant", "project team-a",
// "project 12".
func scopeText(r manifest.ScopeRef) string {
	if r.Scope == manifest.ScopeTenant {
		return "the tenant"
	}
	if n := r.UnitName(); n != "" {
		return r.Scope + " " + n
	}
	return r.Scope + " " + r.ScopeID()
}
