package export

import (
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/resource"
)

// underObjects groups the objects that belong under another object
// (Descriptor.Under: an access rule under its service account) by the key
// of that object, keeping their order.
func underObjects(objs []*diff.Object) map[resource.Key][]*diff.Object {
	out := map[resource.Key][]*diff.Object{}
	for _, o := range objs {
		if d, _ := resource.Lookup(o.Key.Kind); d.Under != "" {
			owner := resource.Key{Kind: d.Under, Name: o.Key.Name}
			out[owner] = append(out[owner], o)
		}
	}
	return out
}

// accessRules writes the live access rules of the service account of key
// into spec.accessRules, one {role, scope, unit} a rule: the role by name
// (Key.Type), the scope by name where the units name it, else by id.
func (x *exporter) accessRules(account resource.Key, root map[string]any) error {
	rules := x.under[account]
	if len(rules) == 0 {
		return nil
	}
	list := make([]any, 0, len(rules))
	for _, r := range rules {
		k := r.Key
		rule := map[string]any{"role": k.Type, "scope": k.Scope}
		if err := scopeFields(rule, k, refName(x.units, k)); err != nil {
			return err
		}
		list = append(list, rule)
	}
	child(root, "spec")["accessRules"] = list
	return nil
}
