package diff

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/runai-sync/runai-sync/resource"
)

// View renders a plan in one format. One implementation per format.
type View interface {
	Render(w io.Writer, p *Plan) error
}

var (
	_ View = (*Text)(nil)
	_ View = (*JSON)(nil)
	_ View = (*Markdown)(nil)
)

// SummaryLine is the last line of a text plan:
// "Plan: 1 to create, 0 to update, 2 to replace, 0 to delete."
func SummaryLine(s Summary) string {
	return fmt.Sprintf("Plan: %d to create, %d to update, %d to replace, %d to delete.", s.Create, s.Update, s.Replace, s.Delete)
}

// group is the changes of one kind in one scope.
type group struct {
	title   string
	kind    resource.Kind
	key     resource.Key // the kind and scope, for sorting
	changes []*Change
}

// groupChanges groups actionable changes by kind and scope, in the order
// of resource.Kinds, then scope, then name.
func groupChanges(p *Plan) []*group {
	byTitle := map[string]*group{}
	var groups []*group
	for _, c := range p.Actionable() {
		gk := groupKey(c.Key)
		title := groupTitle(p, gk)
		g := byTitle[title]
		if g == nil {
			g = &group{title: title, kind: gk.Kind, key: resource.Key{Kind: gk.Kind, Scope: gk.Scope, ScopeID: gk.ScopeID}}
			byTitle[title] = g
			groups = append(groups, g)
		}
		g.changes = append(g.changes, c)
	}
	scopeRank := func(s string) int {
		return slices.Index([]string{"tenant", "cluster", "department", "project", "workspace"}, s)
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(resource.Rank(a.kind), resource.Rank(b.kind)), cmp.Compare(scopeRank(a.key.Scope), scopeRank(b.key.Scope)), a.key.Compare(b.key))
	})
	for _, g := range groups {
		slices.SortFunc(g.changes, func(a, b *Change) int {
			// The objects under one follow it (an account's rules), by key.
			return cmp.Or(cmp.Compare(a.Key.Name, b.Key.Name), cmp.Compare(underRank(a.Key), underRank(b.Key)), cmp.Compare(a.Key.Type, b.Key.Type), a.Key.Compare(b.Key))
		})
	}
	return groups
}

// groupKey is the key whose group shows k: an object of a kind under
// another (an access rule) is shown in the block of the object it belongs
// to (its service account).
func groupKey(k resource.Key) resource.Key {
	if d, _ := resource.Lookup(k.Kind); d.Under != "" {
		return resource.Key{Kind: d.Under, Name: k.Name}
	}
	return k
}

// isUnder reports whether k's kind belongs under another.
func isUnder(k resource.Key) bool {
	d, _ := resource.Lookup(k.Kind)
	return d.Under != ""
}

func underRank(k resource.Key) int {
	if isUnder(k) {
		return 1
	}
	return 0
}

// underLabel names an object under another's, with the unit's name beside
// its id: "access rule ML engineer on project team-a (12)".
func underLabel(p *Plan, k resource.Key) string { return k.UnderString(p.ScopeString(k)) }

// groupTitle names a kind and scope: "Credentials in project 12", or with
// the unit's name "Credentials in project team-a (12)".
func groupTitle(p *Plan, k resource.Key) string {
	d, _ := resource.Lookup(k.Kind)
	noun := cmp.Or(d.Title, string(k.Kind))
	switch {
	case k.Scope == resource.ScopeWorkspace && k.ScopeID == "":
		return noun + " in the default workspace"
	case k.Scope == "":
		return noun
	case k.ScopeID == "":
		return noun + " in the " + k.Scope
	}
	return noun + " in " + p.ScopeString(k)
}

// label names the object inside its group: the type and name of a
// credential, the name of anything else.
func label(k resource.Key) string {
	if k.Type != "" {
		return k.Type + " " + k.Name
	}
	return k.Name
}
