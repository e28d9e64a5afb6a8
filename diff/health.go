package diff

import (
	"slices"

	"github.com/runai-sync/runai-sync/resource"
)

// Health is a managed live object its provider reports as unhealthy: it
// exists, but does not work as it should (a credential whose sync status
// is "Failed", "Issues found" or "Deletion failed").
type Health struct {
	Key      resource.Key
	Provider string
	ID       string
	// Status is the provider's status, e.g. "Issues found".
	Status string
	// Message says why, when the provider says.
	Message string
}

// Health lists the unhealthy live objects of the plan's changes (those the
// manifests declare, and those a prune deletes), by key. drift reports
// them; an apply changes nothing about them unless they differ.
func (p *Plan) Health() []Health {
	var out []Health
	for _, c := range p.Changes {
		if l := c.Live; l != nil && l.Unhealthy {
			out = append(out, Health{Key: c.Key, Provider: c.Provider, ID: l.ID, Status: l.Status, Message: l.StatusMessage})
		}
	}
	slices.SortFunc(out, func(a, b Health) int { return a.Key.Compare(b.Key) })
	return out
}
