package manifest

import (
	"path"
	"slices"
	"strconv"
)

// Owns reports whether the live resource with key k falls inside one of the
// ownership selectors. Only owned resources may be pruned or reported as
// unmanaged drift.
func (o *Ownership) Owns(k Key) bool {
	s := o.Spec
	switch k.Kind {
	case KindCredential:
		return slices.ContainsFunc(s.Credentials, func(c CredentialSelector) bool {
			return c.Scope == k.Scope && c.ScopeID() == k.ScopeID &&
				(len(c.Types) == 0 || slices.Contains(c.Types, k.Type)) &&
				(len(c.Names) == 0 || MatchAny(c.Names, k.Name))
		})
	case KindServiceAccount:
		return s.ServiceAccounts != nil && MatchAny(s.ServiceAccounts.Names, k.Name)
	case KindAccessKey:
		return s.AccessKeys != nil && MatchAny(s.AccessKeys.Names, k.Name)
	case KindSeqeraCredential:
		return slices.ContainsFunc(s.SeqeraCredentials, func(c SeqeraSelector) bool {
			return workspaceString(c.WorkspaceID) == k.ScopeID && (len(c.Names) == 0 || MatchAny(c.Names, k.Name))
		})
	}
	return false
}

// Ignores reports whether an ignore rule matches k: such a resource is
// neither pruned nor reported as drift.
func (o *Ownership) Ignores(k Key) bool { return matchRules(o.Spec.Ignore, k) }

// Protects reports whether a protect rule matches k: such a resource is
// reported but never deleted or replaced without --allow-protected.
func (o *Ownership) Protects(k Key) bool { return matchRules(o.Spec.Protect, k) }

func matchRules(rules []Rule, k Key) bool {
	return slices.ContainsFunc(rules, func(r Rule) bool {
		return r.Kind == k.Kind && (r.Type == "" || r.Type == k.Type) && MatchAny(r.Names, k.Name)
	})
}

// MatchAny reports whether name matches one of the globs (path.Match syntax:
// *, ?, [a-z]).
func MatchAny(globs []string, name string) bool {
	for _, g := range globs {
		if ok, err := path.Match(g, name); err == nil && ok {
			return true
		}
	}
	return false
}

func workspaceString(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}
