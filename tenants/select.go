package tenants

import (
	"fmt"
	"path"
	"strings"
)

// Names lists the tenants in the order of the file.
func (f *File) Names() []string {
	out := make([]string, len(f.Tenants))
	for i, t := range f.Tenants {
		out[i] = t.Name
	}
	return out
}

// Select returns the tenants that patterns name (names or globs such as
// 'prod-*', each of which must match one at least), or all of them, in the
// order of the file. Neither is an error that lists the tenants.
func (f *File) Select(patterns []string, all bool) ([]*Tenant, error) {
	list := strings.Join(f.Names(), ", ")
	switch {
	case all && len(patterns) > 0:
		return nil, fmt.Errorf("give --tenant or --all-tenants, not both")
	case all:
		return f.Tenants, nil
	case len(patterns) == 0:
		return nil, fmt.Errorf("%s lists %d tenants: choose with --tenant NAME (repeatable; globs such as 'prod-*') or --all-tenants: %s", f.Path, len(f.Tenants), list)
	}
	picked := make([]bool, len(f.Tenants))
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("--tenant %q is not a valid glob: %v", p, err)
		}
		matched := false
		for i, t := range f.Tenants {
			if ok, _ := path.Match(p, t.Name); ok {
				picked[i], matched = true, true
			}
		}
		if !matched {
			return nil, fmt.Errorf("--tenant %q matches no tenant of %s: %s", p, f.Path, list)
		}
	}
	var out []*Tenant
	for i, t := range f.Tenants {
		if picked[i] {
			out = append(out, t)
		}
	}
	return out, nil
}

// Pick returns the tenants of these exact names (a saved plan's), in the
// order of the file; a name the file does not list is an error.
func (f *File) Pick(names []string) ([]*Tenant, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []*Tenant
	for _, t := range f.Tenants {
		if want[t.Name] {
			out = append(out, t)
			delete(want, t.Name)
		}
	}
	for _, n := range names {
		if want[n] {
			return nil, fmt.Errorf("tenant %q is not in %s any more: its connection is unknown", n, f.Path)
		}
	}
	return out, nil
}
