package diff

import (
	"cmp"
	"slices"

	"github.com/runai-sync/runai-sync/manifest"
)

// Dependency levels. Identities come first because their one-time secrets
// flow into the credentials below them (fromServiceAccount, fromAccessKey):
//
//	level 0   ServiceAccount     AccessKey
//	                 \              /
//	level 1     Credential    SeqeraCredential
//
// Creates and updates run top-down (level 0, then 1); deletes run
// bottom-up (level 1, then 0), and every delete runs before every create, so
// that a replace (delete-then-create, since names are unique) never meets
// its own old object. Ties break by key, so the same input always gives the
// same order.
var levels = map[manifest.Kind]int{
	manifest.KindServiceAccount:   0,
	manifest.KindAccessKey:        0,
	manifest.KindCredential:       1,
	manifest.KindSeqeraCredential: 1,
}

// Level returns the dependency level of a kind.
func Level(k manifest.Kind) int { return levels[k] }

// Phase is a step of the apply: all deletes, then all creates and updates.
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

// Steps returns the plan's operations in execution order, grouped in waves:
// steps of one wave are independent of each other and may run in parallel;
// a wave starts when the one before it has ended.
func (p *Plan) Steps() [][]Step {
	var steps []Step
	for _, c := range p.Changes {
		lvl := Level(c.Key.Kind)
		if c.Action.Deletes() {
			steps = append(steps, Step{PhaseDelete, lvl, c})
		}
		if c.Action == Create || c.Action == Update || c.Action == Replace {
			steps = append(steps, Step{PhaseCreate, lvl, c})
		}
	}
	slices.SortStableFunc(steps, compareSteps)
	var waves [][]Step
	for i, s := range steps {
		if i == 0 || compareWave(steps[i-1], s) != 0 {
			waves = append(waves, nil)
		}
		waves[len(waves)-1] = append(waves[len(waves)-1], s)
	}
	return waves
}

func compareWave(a, b Step) int {
	if c := cmp.Compare(a.Phase, b.Phase); c != 0 {
		return c
	}
	if a.Phase == PhaseDelete {
		return cmp.Compare(b.Level, a.Level) // deletes bottom-up
	}
	return cmp.Compare(a.Level, b.Level)
}

func compareSteps(a, b Step) int {
	if c := compareWave(a, b); c != 0 {
		return c
	}
	return a.Change.Key.Compare(b.Change.Key)
}

// sortChanges puts changes in the order of their first step; no-ops last,
// by key.
func sortChanges(changes []*Change) {
	first := func(c *Change) Step {
		if c.Action.Deletes() {
			return Step{PhaseDelete, Level(c.Key.Kind), c}
		}
		return Step{PhaseCreate, Level(c.Key.Kind), c}
	}
	slices.SortStableFunc(changes, func(a, b *Change) int {
		if an, bn := a.Action == NoOp, b.Action == NoOp; an != bn {
			if an {
				return 1
			}
			return -1
		}
		return compareSteps(first(a), first(b))
	})
}
