package apply

import (
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/resource"
)

// EventType tells what happened.
type EventType int

// Event types.
const (
	StepStarted EventType = iota
	StepDone
	StepFailed
	// Synced reports the sync status of an object after --wait.
	Synced
)

// Event is one moment of an apply, with the counts at that moment.
type Event struct {
	Type EventType
	Step diff.Step
	// ID is the object's id after a StepDone.
	ID string
	// Err is set for StepFailed, and for a Synced object that failed.
	Err error
	// Key and Status describe a Synced object.
	Key    resource.Key
	Status string
	// Took is the duration of the step.
	Took time.Duration
	// Counts over the whole apply, and the time since it began.
	Done, Failed, Total, InFlight int
	Elapsed                       time.Duration
	DryRun                        bool
}

// Observer receives the events of an apply; calls may come from several
// goroutines, one at a time per event but not in order.
type Observer interface {
	Event(Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Event implements Observer.
func (f ObserverFunc) Event(e Event) { f(e) }
