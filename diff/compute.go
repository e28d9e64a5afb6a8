package diff

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/runai-sync/runai-sync/resource"
)

// Display values of secret fields.
const (
	Sensitive       = resource.Redacted
	KnownAfterApply = "(known after apply)"
)

// Ownership answers what the manifest set owns; *manifest.Set implements
// it. See guard.go for how pruning uses it.
type Ownership interface {
	// Owner names the Ownership document that owns k, or "".
	Owner(k resource.Key) string
	// Ignored reports an ignore rule matching k.
	Ignored(k resource.Key) bool
	// ProtectedByRule reports a protect rule matching k.
	ProtectedByRule(k resource.Key) bool
	// HasOwnership reports whether any Ownership document exists.
	HasOwnership() bool
}

// Options are the switches of a plan.
type Options struct {
	// Prune deletes owned live objects that no manifest declares.
	Prune bool `json:"prune,omitempty"`
	// Force allows deleting or replacing objects that are in use.
	Force bool `json:"force,omitempty"`
	// AllowProtected allows deleting or replacing protected objects.
	AllowProtected bool `json:"allowProtected,omitempty"`
	// AllowMassDelete lifts the mass-delete guard.
	AllowMassDelete bool `json:"allowMassDelete,omitempty"`
}

// Compute compares desired with live objects as they are, with nothing
// recorded of earlier applies, and returns the plan: ComputeRecorded with
// the zero Recorded.
func Compute(desired, live []*Object, own Ownership, opts Options) *Plan {
	return ComputeRecorded(desired, live, Recorded{}, own, opts)
}

// ComputeRecorded compares desired with live objects, each live object as
// the records rec show it (see Recorded), and returns the plan. It changes
// none of its inputs: a change's Live is the live object as compared (a
// copy where a record added to it), so that renderers and the state's
// recorder see what the plan saw. It is a pure function: the same input
// always gives the same plan.
func ComputeRecorded(desired, live []*Object, rec Recorded, own Ownership, opts Options) *Plan {
	seen := make([]*Object, len(live))
	liveByKey := make(map[resource.Key]*Object, len(live))
	for i, l := range live {
		seen[i] = rec.Records[l.Key].seen(l)
		liveByKey[l.Key] = seen[i]
	}
	live = seen
	p := &Plan{Changes: make([]*Change, len(desired))}
	unverified := make([]int, len(desired))
	inChunks(len(desired), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p.Changes[i], unverified[i] = compare(desired[i], liveByKey[desired[i].Key], rec)
		}
	})
	byKey := make(map[resource.Key]*Change, len(desired))
	for _, c := range p.Changes {
		byKey[c.Key] = c
	}
	propagate(p.Changes, byKey)
	prune(p, desired, live, own, opts)
	guard(p, live, own, opts)
	if n := sum(unverified); n > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s of existing objects cannot be compared: the API never returns secret values and no state records them, so a secret changed only in git is not seen", plural(n, "secret field")))
	}
	sortChanges(p.Changes)
	return p
}

// chunkMin is the fewest objects worth comparing on another goroutine.
const chunkMin = 1000

// inChunks calls f on consecutive ranges [lo, hi) covering [0, n), one
// range per CPU at once when n is large enough to gain by it. Comparing
// one object reads only its own inputs (and fingerprints, which are safe
// to make at once), so the plan is the same either way.
func inChunks(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/chunkMin)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { f(n*w/workers, n*(w+1)/workers) })
	}
	wg.Wait()
}

func sum(ns []int) (total int) {
	for _, n := range ns {
		total += n
	}
	return total
}

// compare finds how the live object differs from the desired one, and
// counts the desired secrets it could not compare (no fingerprint on one
// side).
func compare(d, l *Object, rec Recorded) (c *Change, unverified int) {
	c = &Change{Key: d.Key, Provider: d.Provider, Desired: d, Live: l}
	if l == nil {
		c.Action = Create
		c.Regenerate = len(d.Regenerates) > 0
		for _, p := range sortedKeys(d.Attrs) {
			c.Fields = append(c.Fields, FieldChange{Path: p, After: d.Attrs[p]})
		}
		for _, p := range sortedKeys(d.Secrets) {
			after := Sensitive
			if d.Secrets[p].Output != nil {
				after = KnownAfterApply
			}
			c.Fields = append(c.Fields, FieldChange{Path: p, After: after, Sensitive: true})
		}
		return c, 0
	}
	c.ID = l.ID
	for _, p := range sortedKeys(d.Attrs, l.Attrs) {
		before, inLive := l.Attrs[p]
		after, inDesired := d.Attrs[p]
		if before == after && inLive == inDesired {
			continue
		}
		c.Fields = append(c.Fields, FieldChange{Path: p, Before: before, After: after, ForcesReplace: !d.CanChangeInPlace(p)})
		if slices.Contains(d.Regenerates, p) {
			c.Regenerate = true
		}
	}
	for _, p := range sortedKeys(d.Secrets, l.Secrets) {
		ds, wanted := d.Secrets[p]
		ls := l.Secrets[p]
		dfp := rec.fingerprint(ds)
		if wanted && ds.Output == nil && (dfp == "" || ls.Fingerprint == "") {
			unverified++
		}
		switch {
		case !wanted && ls.Fingerprint != "":
			// A secret field applied before and gone from the manifest.
			c.Fields = append(c.Fields, FieldChange{Path: p, Before: Sensitive, Sensitive: true, ForcesReplace: !d.CanChangeInPlace(p)})
		case !wanted || ds.Output != nil || dfp == "" || ls.Fingerprint == "" || dfp == ls.Fingerprint:
			// Produced during the apply (see propagate), or not comparable.
		default:
			c.Fields = append(c.Fields, FieldChange{Path: p, Before: Sensitive, After: Sensitive, Sensitive: true, ForcesReplace: !d.CanChangeInPlace(p)})
		}
	}
	decide(c)
	if undelivered := rec.Records[l.Key].Undelivered; len(undelivered) > 0 && len(d.Regenerates) > 0 {
		names := make([]string, len(undelivered))
		for i, k := range undelivered {
			names[i] = k.String()
		}
		c.Regenerate = true
		if c.Action == NoOp {
			c.Action = Update
		}
		msg := "the secret an earlier apply generated never reached " + strings.Join(names, "; ") + ": it is generated and delivered again"
		if c.Reason != "" {
			msg = c.Reason + "; " + msg
		}
		c.Reason = msg
	}
	return c, unverified
}

// decide sets the action and the reason from the changed fields. The
// reason names every cause: fields the API cannot change, secrets that
// changed, values produced during the apply, fields changed in place.
func decide(c *Change) {
	if c.Live == nil {
		return
	}
	c.ReplacedBy = nil
	var fixed, secret, removed, inPlace, why []string
	for _, f := range c.Fields {
		if f.ForcesReplace {
			c.ReplacedBy = append(c.ReplacedBy, f.Path)
		}
		switch {
		case f.Sensitive && f.After == "":
			removed = append(removed, f.Path)
		case f.After == KnownAfterApply:
			out := c.Desired.Secrets[f.Path].Output
			why = append(why, fmt.Sprintf("%s takes the new %s of %s", f.Path, out.Field, out.Key))
		case f.Sensitive:
			secret = append(secret, f.Path)
		case f.ForcesReplace:
			fixed = append(fixed, f.Path)
		case slices.Contains(c.Desired.Regenerates, f.Path):
			inPlace = append(inPlace, f.Path+" (the secret is regenerated)")
		default:
			inPlace = append(inPlace, f.Path)
		}
	}
	if len(removed) > 0 {
		why = append([]string{"secret removed (" + joinPaths(removed) + ")"}, why...)
	}
	if len(secret) > 0 {
		why = append([]string{"secret value changed (" + joinPaths(secret) + ")"}, why...)
	}
	if len(fixed) > 0 {
		why = append([]string{joinPaths(fixed) + " cannot change in place"}, why...)
	}
	if len(inPlace) > 0 {
		why = append(why, joinPaths(inPlace)+" changed")
	}
	switch {
	case len(c.ReplacedBy) > 0:
		c.Action = Replace
	case len(c.Fields) > 0 || c.Regenerate:
		c.Action = Update
	default:
		c.Action = NoOp
	}
	if len(why) > 0 {
		c.Reason = strings.Join(why, "; ")
	}
}

// propagate handles values produced during the apply. A dependent that is
// created or replaced needs the one-time outputs it takes (a client secret)
// from a fresh regeneration; a regeneration gives every existing dependent
// a new value, so they change too. It runs to a fixpoint: graphs are small.
func propagate(changes []*Change, byKey map[resource.Key]*Change) {
	for changed := true; changed; {
		changed = false
		for _, c := range changes {
			for _, p := range outputPaths(c.Desired) {
				out := c.Desired.Secrets[p].Output
				if byKey[out.Key] == nil {
					continue
				}
				src := byKey[out.Key]
				readable := src.Live != nil && !src.Action.Creates() && hasOutput(src.Live, out.Field)
				switch {
				case readable:
					// The source keeps showing this output (a client id).
				case src.Regenerate:
					if c.Live != nil && !hasField(c, p) {
						c.Fields = append(c.Fields, FieldChange{Path: p, Before: Sensitive, After: KnownAfterApply, Sensitive: true, ForcesReplace: !c.Desired.CanChangeInPlace(p)})
						decide(c)
						changed = true
					}
				case (c.Action.Creates() || c.Action == Update && c.Desired.ResendsSecrets) && !src.Regenerate:
					// The new object (or an update that sends every secret
					// again) needs a secret shown only once: make the source
					// show it again.
					src.Regenerate = true
					if src.Action == NoOp {
						src.Action = Update
					}
					msg := fmt.Sprintf("%s regenerated: %s needs it, and it is shown only once", out.Field, c.Key)
					if src.Reason != "" {
						msg = src.Reason + "; " + msg
					}
					src.Reason = msg
					changed = true
				}
			}
		}
	}
}

// outputPaths returns the sorted paths of d's secrets that take another
// object's output; most objects have none.
func outputPaths(d *Object) []string {
	var paths []string
	for p, s := range d.Secrets {
		if s.Output != nil {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	return paths
}

func hasOutput(o *Object, field string) bool {
	_, ok := o.Outputs[field]
	return ok
}

func hasField(c *Change, path string) bool {
	return slices.ContainsFunc(c.Fields, func(f FieldChange) bool { return f.Path == path })
}

func joinPaths(paths []string) string {
	switch len(paths) {
	case 0:
		return ""
	case 1:
		return paths[0]
	}
	return strings.Join(paths[:len(paths)-1], ", ") + " and " + paths[len(paths)-1]
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// sortedKeys returns the keys of the maps, sorted, without repeats. The
// maps are an object's few fields: a slice beats a set.
func sortedKeys[V any](maps_ ...map[string]V) []string {
	n := 0
	for _, m := range maps_ {
		n += len(m)
	}
	keys := make([]string, 0, n)
	for _, m := range maps_ {
		keys = slices.AppendSeq(keys, maps.Keys(m))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
