package runai

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/orgunit"
)

// roleIndex maps role names to their ids. Roles are named in manifests
// and resolved through GET /api/v1/authorization/roles: the vendor
// documents the names, not the ids.
type roleIndex map[string]int32

// listRoles reads the roles of the tenant by name.
func (c *Client) listRoles(ctx context.Context) (roleIndex, error) {
	var l []roleEntry
	if _, err := c.call(ctx, "list roles", manifest.Key{}, rest.Request{Method: http.MethodGet, Path: rolesPath}, &l); err != nil {
		return nil, err
	}
	ix := make(roleIndex, len(l))
	for _, r := range l {
		ix[r.Name] = r.ID
	}
	return ix, nil
}

// id resolves a role name. An unknown name is an error that suggests the
// role it most likely means (same letters, other case or spacing) or lists
// the roles there are.
func (ix roleIndex) id(name string) (int32, error) {
	if id, found := ix[name]; found {
		return id, nil
	}
	fold := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	names := make([]string, 0, len(ix))
	for n := range ix {
		if fold(n) == fold(name) {
			return 0, fmt.Errorf("unknown role %q; did you mean %q?", name, n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return 0, fmt.Errorf("unknown role %q; the roles are: %s", name, strings.Join(names, ", "))
}

// ListRoles implements orgunit.RoleLister: GET /api/v1/authorization/roles
// (a bare array, not paged), each role's id and name.
func (c *Client) ListRoles(ctx context.Context) ([]orgunit.Role, error) {
	var l []roleEntry
	if _, err := c.call(ctx, "list roles", manifest.Key{}, rest.Request{Method: http.MethodGet, Path: rolesPath}, &l); err != nil {
		return nil, err
	}
	out := make([]orgunit.Role, len(l))
	for i, r := range l {
		out[i] = orgunit.Role{ID: r.ID, Name: r.Name}
	}
	return out, nil
}
