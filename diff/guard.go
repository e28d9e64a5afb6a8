package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/runai-sync/runai-sync/resource"
)

// Pruning and the safety guards live here, in one place.
//
// Which live objects a plan may delete:
//
//   - Only with --prune, and only objects inside a selector of an Ownership
//     document (a credential scope, service account or access key names,
//     a Seqera workspace). Without any Ownership, --prune deletes nothing
//     and the plan says so. Objects outside every selector are not ours:
//     they are never deleted and never reported.
//   - Access rules are owned through their service account: the rules of
//     an account the manifests declare with spec.accessRules (even empty)
//     are theirs (Ownership or not), and --prune deletes those it leaves
//     out; an account declared without the field keeps its rules, owned
//     by nobody; the rules of an undeclared account are owned, ignored
//     and protected as the account is. Rules of any other subject are not
//     objects at all.
//   - Never an object an ignore rule matches: it is neither pruned nor
//     reported as drift.
//   - Without --prune, owned objects that no manifest declares are listed
//     as unmanaged (drift counts them).
//
// What the guards refuse, each unless its flag lifts it; any refusal blocks
// the whole apply before its first change, while plan still shows
// everything and lists the refusals:
//
//   - in-use (--force): deleting or replacing an object the API shows in
//     use, naming the workloads.
//   - protected (--allow-protected): deleting or replacing an object with
//     lifecycle.protect, or matched by a protect rule.
//   - mass-delete (--allow-mass-delete): a plan deleting every owned
//     object, or more than 30% of them when that is 3 or more; objects
//     under others (access rules) are weighed apart from the rest.

// prune turns owned, undeclared live objects into deletes (or unmanaged
// entries when not pruning).
func prune(p *Plan, desired, live []*Object, own Ownership, opts Options) {
	pruned := 0
	declared := make(map[resource.Key]bool, len(desired))
	for _, d := range desired {
		declared[d.Key] = true
	}
	for _, l := range live {
		if declared[l.Key] || own.Ignored(l.Key) {
			continue
		}
		owner := own.Owner(l.Key)
		if owner == "" {
			continue
		}
		if !opts.Prune {
			p.Unmanaged = append(p.Unmanaged, l)
			continue
		}
		p.Changes = append(p.Changes, &Change{
			Action: Delete, Key: l.Key, Provider: l.Provider, ID: l.ID, Live: l,
			Reason: pruneReason(l.Key, owner),
		})
		pruned++
	}
	slices.SortFunc(p.Unmanaged, func(a, b *Object) int { return a.Key.Compare(b.Key) })
	switch {
	case opts.Prune && !own.HasOwnership() && pruned > 0:
		p.Notes = append(p.Notes, "--prune deletes only the access rules of declared service accounts that their spec.accessRules leave out: the manifests hold no Ownership document saying what else they own")
	case opts.Prune && !own.HasOwnership():
		p.Notes = append(p.Notes, "--prune deletes nothing: the manifests hold no Ownership document saying what they own")
	case len(p.Unmanaged) > 0:
		names := make([]string, len(p.Unmanaged))
		for i, u := range p.Unmanaged {
			names[i] = u.Key.String()
		}
		p.Notes = append(p.Notes, fmt.Sprintf("%s inside owned scopes %s in no manifest (--prune would delete %s): %s",
			plural(len(names), "object"), isAre(len(names)), itThem(len(names)), strings.Join(names, "; ")))
	}
}

// pruneReason says why a live object is pruned. An object under another
// (an access rule) is owned through it: the set declares it, and the field
// that lists such objects leaves this one out (owner names it, see
// manifest.Set.Owner), or an Ownership owns it.
func pruneReason(k resource.Key, owner string) string {
	if parent, ok := resource.Parent(k); ok && owner == parent.String() {
		d, _ := resource.Lookup(k.Kind)
		return "not in " + d.Field + " of " + owner
	}
	return fmt.Sprintf("not in the manifests; inside Ownership %s", owner)
}

// guard records the refusals of the safety guards.
func guard(p *Plan, live []*Object, own Ownership, opts Options) {
	for _, c := range p.Changes {
		if !c.Action.Deletes() {
			continue
		}
		verb := "delete"
		if c.Action == Replace {
			verb = "replace"
		}
		if len(c.Live.UsedBy) > 0 && !opts.Force {
			p.Refusals = append(p.Refusals, Refusal{Key: c.Key, Guard: "in-use", Lift: "--force",
				Message: fmt.Sprintf("will not %s %s: in use by %s", verb, c.Key, strings.Join(c.Live.UsedBy, ", "))})
		}
		protected := own.ProtectedByRule(c.Key)
		why := "a protect rule"
		if c.Desired != nil && c.Desired.Protected {
			protected, why = true, "lifecycle.protect"
		}
		if protected && !opts.AllowProtected {
			p.Refusals = append(p.Refusals, Refusal{Key: c.Key, Guard: "protected", Lift: "--allow-protected",
				Message: fmt.Sprintf("will not %s %s: protected by %s", verb, c.Key, why)})
		}
	}
	// Objects under others (access rules) are weighed apart from the
	// rest, so that many rules neither hide a mass delete of credentials
	// nor make one rule of a small set look like one.
	// A rule deleted beside a rule created for the same account is a
	// changed rule (a delete and a create), not a loss.
	var deletes, owned [2]int
	gains := map[resource.Key]bool{}
	for _, c := range p.Changes {
		if parent, ok := resource.Parent(c.Key); ok && c.Action == Create {
			gains[parent] = true
		}
	}
	for _, c := range p.Changes {
		if parent, ok := resource.Parent(c.Key); c.Action == Delete && !(ok && gains[parent]) {
			deletes[family(c.Key)]++
		}
	}
	for _, l := range live {
		if own.Owner(l.Key) != "" && !own.Ignored(l.Key) {
			owned[family(l.Key)]++
		}
	}
	for f := range deletes {
		d, o := deletes[f], owned[f]
		if d == 0 || opts.AllowMassDelete || !(d >= o || d >= 3 && float64(d) > 0.3*float64(o)) {
			continue
		}
		noun := [2]string{"objects", "objects under others"}[f]
		if f == 1 {
			noun = underNoun(p.Changes)
		}
		what := fmt.Sprintf("%d of the %d owned %s (%d%%)", d, o, noun, 100*d/max(o, 1))
		if d >= o {
			what = fmt.Sprintf("every owned %s (%d)", strings.TrimSuffix(noun, "s"), d)
		}
		p.Refusals = append(p.Refusals, Refusal{Guard: "mass-delete", Lift: "--allow-mass-delete",
			Message: "will not delete " + what + ": a mistake in the manifests or the Ownership selectors looks like this"})
	}
}

// family is 1 for an object under another (resource.Descriptor.Under),
// 0 for the rest: the mass-delete guard weighs each apart.
func family(k resource.Key) int {
	if _, ok := resource.Parent(k); ok {
		return 1
	}
	return 0
}

// underNoun names the deleted objects under others: "access rules".
func underNoun(changes []*Change) string {
	for _, c := range changes {
		if c.Action == Delete && family(c.Key) == 1 {
			d, _ := resource.Lookup(c.Key.Kind)
			return d.Noun + "s"
		}
	}
	return "objects"
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
