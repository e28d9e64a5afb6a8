package diff

import (
	"cmp"
	"slices"

	"github.com/runai-sync/runai-sync/resource"
)

// The order of an apply, in one table. Identities come first because their
// one-time secrets flow into the credentials below them (fromServiceAccount,
// fromAccessKey):
//
//	level 0   ServiceAccount     AccessKey
//	                 \              /
//	level 1     Credential    SeqeraCredential    AccessRule
//
// An apply runs in waves; a wave starts when the one before it has ended,
// and the units of a wave run in parallel:
//
//	wave                     units (ties by key)
//	delete, level 1          delete (pruned)                 } bottom-up
//	delete, level 0          delete (pruned)                 }
//	create, level 0          create | update | delete->create } top-down
//	create, level 1          create | update | delete->create }
//
// Objects only deleted (pruned) go first, dependents before what they
// depend on; objects created or updated follow, dependencies first. A
// replace (delete-then-create, since names are unique) is one unit in the
// create wave of its level: its create follows its own delete directly (the
// provider waits until the old object is gone), and its dependents, a
// level below, follow it. So a replaced object is absent for one delete
// plus one create, never for the length of the apply, and once a replace
// has started its create runs even if other units fail meanwhile. Ties
// break by key, so the same input always gives the same order.
//
// The levels are the kinds' descriptors' (resource.Descriptor.Level).

// Level returns the dependency level of a kind.
func Level(k resource.Kind) int {
	d, _ := resource.Lookup(k)
	return d.Level
}

// Phase is the API operation of a step, and the part of the apply whose
// waves hold it: deletes of pruned objects, then creates and updates (with
// replaces, whose delete step is in PhaseDelete but runs in the create
// waves, as part of its unit).
type Phase int

// The phases of an apply.
const (
	PhaseDelete Phase = iota
	PhaseCreate
)

// Step is one API operation of a change: a replace has two steps.
type Step struct {
	Phase  Phase
	Level  int
	Change *Change
}

// Verb names the API operation the step makes: "create", "update" or
// "delete".
func (s Step) Verb() string {
	switch {
	case s.Phase == PhaseDelete:
		return "delete"
	case s.Change.Action == Update:
		return "update"
	}
	return "create"
}

// Unit is the steps of one change, carried out in order by one worker: one
// step, or a replace's delete and then its create.
type Unit []Step

// unitOf returns the unit of an actionable change and the wave it runs in.
func unitOf(c *Change) (Unit, wave) {
	w := waveOf(c)
	switch c.Action {
	case Delete:
		return Unit{{PhaseDelete, w.level, c}}, w
	case Replace:
		return Unit{{PhaseDelete, w.level, c}, {PhaseCreate, w.level, c}}, w
	}
	return Unit{{PhaseCreate, w.level, c}}, w
}

// waveOf returns the wave an actionable change runs in: a delete's in the
// delete phase, any other's (a replace's too) in the create phase.
func waveOf(c *Change) wave {
	if c.Action == Delete {
		return wave{PhaseDelete, Level(c.Key.Kind)}
	}
	return wave{PhaseCreate, Level(c.Key.Kind)}
}

// wave identifies a wave: the phase, and the level within it.
type wave struct {
	phase Phase
	level int
}

func (a wave) compare(b wave) int {
	if c := cmp.Compare(a.phase, b.phase); c != 0 {
		return c
	}
	if a.phase == PhaseDelete {
		return cmp.Compare(b.level, a.level) // deletes bottom-up
	}
	return cmp.Compare(a.level, b.level)
}

// Waves returns the plan's units in execution order, grouped in waves:
// the units of a wave are independent of each other and may run in
// parallel; a wave starts when the one before it has ended.
func (p *Plan) Waves() [][]Unit {
	type placed struct {
		u Unit
		w wave
	}
	var all []placed
	for _, c := range p.Changes {
		if c.Action != NoOp {
			u, w := unitOf(c)
			all = append(all, placed{u, w})
		}
	}
	slices.SortStableFunc(all, func(a, b placed) int {
		if c := a.w.compare(b.w); c != 0 {
			return c
		}
		return a.u[0].Change.Key.Compare(b.u[0].Change.Key)
	})
	var waves [][]Unit
	for i, pl := range all {
		if i == 0 || all[i-1].w != pl.w {
			waves = append(waves, nil)
		}
		waves[len(waves)-1] = append(waves[len(waves)-1], pl.u)
	}
	return waves
}

// Steps returns the plan's operations in execution order, wave by wave:
// the steps of Waves, each unit's in its order.
func (p *Plan) Steps() [][]Step {
	var out [][]Step
	for _, w := range p.Waves() {
		var steps []Step
		for _, u := range w {
			steps = append(steps, u...)
		}
		out = append(out, steps)
	}
	return out
}

// sortChanges puts changes in the order of their units; no-ops last, by
// key.
func sortChanges(changes []*Change) {
	// Each change's place is worked out once, not at every comparison.
	type placed struct {
		noOp bool
		w    wave
		c    *Change
	}
	ps := make([]placed, len(changes))
	for i, c := range changes {
		ps[i] = placed{c.Action == NoOp, waveOf(c), c}
	}
	slices.SortStableFunc(ps, func(a, b placed) int {
		if a.noOp != b.noOp {
			if a.noOp {
				return 1
			}
			return -1
		}
		if c := a.w.compare(b.w); c != 0 {
			return c
		}
		return a.c.Key.Compare(b.c.Key)
	})
	for i, p := range ps {
		changes[i] = p.c
	}
}
