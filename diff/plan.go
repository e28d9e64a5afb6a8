package diff

import (
	"github.com/runai-sync/runai-sync/resource"
)

// FieldChange is one field that differs. Before and After are display
// values: quoted text, "(sensitive)" for a secret, "(known after apply)" for
// a value produced during the apply; empty when the field is absent.
type FieldChange struct {
	Path          string `json:"path"`
	Before        string `json:"before,omitempty"`
	After         string `json:"after,omitempty"`
	Sensitive     bool   `json:"sensitive,omitempty"`
	ForcesReplace bool   `json:"forcesReplace,omitempty"`
}

// Change is what the plan does to one resource.
type Change struct {
	Action   Action       `json:"action"`
	Key      resource.Key `json:"key"`
	Provider string       `json:"provider"`
	// ID is the id of the live object, if there is one.
	ID string `json:"id,omitempty"`
	// Fields lists the fields that change (all set fields for a create).
	Fields []FieldChange `json:"fields,omitempty"`
	// ReplacedBy lists the paths that force a replace.
	ReplacedBy []string `json:"replacedBy,omitempty"`
	// Reason says why, in words that name fields but never values.
	Reason string `json:"reason,omitempty"`
	// Regenerate is set when the change makes the object produce new
	// one-time outputs (a new client secret): it is created, replaced, its
	// rotation marker changed, or a dependent needs the secret again.
	Regenerate bool `json:"regenerate,omitempty"`
	// Notes are remarks on this change, such as an unverifiable secret.
	Notes []string `json:"notes,omitempty"`
	// Desired and Live are the compared objects (either may be nil).
	Desired *Object `json:"-"`
	Live    *Object `json:"-"`
}

// ChangedPaths lists the paths of the changed fields.
func (c *Change) ChangedPaths() []string {
	paths := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		paths[i] = f.Path
	}
	return paths
}

// Refusal is a change a safety guard blocked. Any refusal blocks the whole
// apply before its first change.
type Refusal struct {
	Key resource.Key `json:"key"`
	// Guard is "in-use", "protected" or "mass-delete".
	Guard string `json:"guard"`
	// Message names what is in the way (the workloads, the rule).
	Message string `json:"message"`
	// Lift is the flag that would allow it.
	Lift string `json:"lift"`
}

// Plan is pure data: the changes in execution order, with notes and
// refusals. Dry-run renders the same plan that apply executes.
type Plan struct {
	// Changes holds one entry per desired or pruned resource, NoOps
	// included, in execution order (see order.go).
	Changes []*Change
	// Unmanaged lists live objects inside an Ownership selector that no
	// manifest declares, when the plan does not prune them.
	Unmanaged []*Object
	// Notes are remarks on the whole plan.
	Notes []string
	// Refusals are the changes the guards blocked.
	Refusals []Refusal
	// ScopeNames names org units by "SCOPE ID" (as Key.ScopeString gives
	// it: "project 12" -> "team-a"); renderers show the name beside the id.
	// Nil when the run resolved no org unit.
	ScopeNames map[string]string
}

// ScopeString is Key.ScopeString with the unit's name when p knows it:
// "project team-a (12)".
func (p *Plan) ScopeString(k resource.Key) string {
	if n := p.ScopeNames[k.ScopeString()]; n != "" && k.ScopeID != "" {
		return k.Scope + " " + n + " (" + k.ScopeID + ")"
	}
	return k.ScopeString()
}

// Summary counts the changes by action.
type Summary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Replace   int `json:"replace"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
}

// Summary counts the changes by action.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Replace:
			s.Replace++
		case Delete:
			s.Delete++
		default:
			s.Unchanged++
		}
	}
	return s
}

// Actionable lists the changes that do something, in execution order.
func (p *Plan) Actionable() []*Change {
	var out []*Change
	for _, c := range p.Changes {
		if c.Action != NoOp {
			out = append(out, c)
		}
	}
	return out
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool { return len(p.Actionable()) > 0 }

// Refused reports whether a guard blocked the plan.
func (p *Plan) Refused() bool { return len(p.Refusals) > 0 }
