package diff

import (
	"encoding/json"
	"fmt"
)

// Action is what a change does to one resource. It is a closed set.
type Action int

// The actions. Replace is delete-then-create: Run:ai names are unique, so
// the old object must go before the new one can be created.
const (
	NoOp Action = iota
	Create
	Update
	Replace
	Delete
)

var actionNames = [...]string{"no-op", "create", "update", "replace", "delete"}

// String is the lower-case name used in JSON: no-op, create, update, replace, delete.
func (a Action) String() string {
	if a < 0 || int(a) >= len(actionNames) {
		return fmt.Sprintf("Action(%d)", int(a))
	}
	return actionNames[a]
}

// Symbol is the Terraform-like marker of the text renderer.
func (a Action) Symbol() string {
	return [...]string{" ", "+", "~", "-/+", "-"}[a]
}

// IsReplace reports whether the action deletes and creates the object.
func (a Action) IsReplace() bool { return a == Replace }

// Deletes reports whether the action removes the live object.
func (a Action) Deletes() bool { return a == Delete || a == Replace }

// Creates reports whether the action makes a new live object.
func (a Action) Creates() bool { return a == Create || a == Replace }

// MarshalJSON writes the name.
func (a Action) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON reads the name.
func (a *Action) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for i, n := range actionNames {
		if n == s {
			*a = Action(i)
			return nil
		}
	}
	return fmt.Errorf("unknown action %q", s)
}
