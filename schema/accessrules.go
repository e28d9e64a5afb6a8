package schema

import "github.com/runai-sync/runai-sync/manifest"

// checkAccessRules checks the access rules of a service account offline:
// each scope has the id or the name it needs.
func checkAccessRules(s *manifest.ServiceAccount) manifest.Diagnostics {
	d := s.Document()
	var ds manifest.Diagnostics
	for i, r := range s.Spec.AccessRules {
		base := manifest.FieldPath{"spec", "accessRules", i}
		ds = append(ds, CheckScope(d, base, r.Scope)...)
	}
	return ds
}
