package orgunit

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// Role is a role of the tenant as GET /api/v1/authorization/roles lists
// it. Manifests name roles; access rules are created with their ids.
type Role struct {
	ID   int32
	Name string
}

// RoleLister reads the roles of a tenant; package runai's Client
// implements it.
type RoleLister interface {
	ListRoles(ctx context.Context) ([]Role, error)
}

// NeedsRoles reports whether some service account of set lists access
// rules, whose roles must then be read and resolved.
func NeedsRoles(set *manifest.Set) bool {
	for _, r := range set.Resources {
		if sa, ok := r.(*manifest.ServiceAccount); ok && len(sa.Spec.AccessRules) > 0 {
			return true
		}
	}
	return false
}

// ResolveRoles fills in the RoleID of every access rule from its role's
// name. A name no role has is a diagnostic at the rule's role field, with
// the role it most likely means (the same words in another case or
// spacing, or a near spelling) or else the nearest roles. The diagnostics
// are sorted; the set is usable only when there are none.
func ResolveRoles(set *manifest.Set, roles []Role) manifest.Diagnostics {
	byName := make(map[string]int32, len(roles))
	names := make([]string, 0, len(roles))
	for _, r := range roles {
		if _, dup := byName[r.Name]; !dup {
			names = append(names, r.Name)
		}
		byName[r.Name] = r.ID
	}
	names = sorted(names)
	var ds manifest.Diagnostics
	for _, res := range set.Resources {
		sa, ok := res.(*manifest.ServiceAccount)
		if !ok {
			continue
		}
		for i := range sa.Spec.AccessRules {
			rule := &sa.Spec.AccessRules[i]
			if id, found := byName[rule.Role]; found {
				rule.RoleID = id
				continue
			}
			p := manifest.FieldPath{"spec", "accessRules", i, "role"}
			ds = append(ds, manifest.Diagnostic{Pos: sa.Document().Pos(p), Path: p,
				Message: fmt.Sprintf("role %q does not exist%s", rule.Role, suggestRole(rule.Role, names))})
		}
	}
	return ds.Sort()
}

// suggestRole ends a "role does not exist" message.
func suggestRole(name string, names []string) string {
	if len(names) == 0 {
		return "; the tenant lists no roles"
	}
	fold := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	for _, n := range names {
		if fold(n) == fold(name) {
			return fmt.Sprintf("; did you mean %q?", n)
		}
	}
	if n := schema.Suggest(name, names); n != "" {
		return fmt.Sprintf("; did you mean %q?", n)
	}
	near := schema.Nearest(name, names, 3)
	for i, n := range near {
		near[i] = strconv.Quote(n)
	}
	return nearestText("roles", near)
}
