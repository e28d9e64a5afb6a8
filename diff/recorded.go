package diff

import (
	"maps"

	"github.com/runai-sync/runai-sync/resource"
)

// Recorded is what earlier applies left behind (package state builds it),
// given to ComputeRecorded as input rather than written into objects: the
// API never returns secret values, rotation markers or some attributes, so
// the live objects are compared as these records show them. The zero value
// records nothing: the objects are compared as they are.
type Recorded struct {
	// Sum fingerprints the resolved value of a desired secret with the key
	// the records were made with, so that it compares with
	// Record.Fingerprints; nil when nothing is recorded. Large plans call
	// it from several goroutines at once.
	Sum Fingerprint
	// Records are by key of the live object they describe.
	Records map[resource.Key]Record
}

// Record is what was recorded of one live object.
type Record struct {
	// Fingerprints are, by path, the fingerprints of the secret values the
	// object was last given.
	Fingerprints map[string]string
	// Attrs are, by path, the values to see in place of what the API does
	// not show: the rotation marker last applied, the attributes a live
	// object lists as Unread.
	Attrs map[string]string
	// Undelivered lists the dependents that never received the one-time
	// secret an earlier apply generated (the apply stopped half-way): it is
	// regenerated and delivered again.
	Undelivered []resource.Key
}

// seen returns the live object l as r shows it: a copy with r's attributes
// and secret fingerprints, or l itself when r adds none. l is never
// changed.
func (r Record) seen(l *Object) *Object {
	if len(r.Attrs) == 0 && len(r.Fingerprints) == 0 {
		return l
	}
	c := *l
	if len(r.Attrs) > 0 {
		c.Attrs = make(map[string]string, len(l.Attrs)+len(r.Attrs))
		maps.Copy(c.Attrs, l.Attrs)
		maps.Copy(c.Attrs, r.Attrs)
	}
	if len(r.Fingerprints) > 0 {
		c.Secrets = make(map[string]SecretAttr, len(l.Secrets)+len(r.Fingerprints))
		maps.Copy(c.Secrets, l.Secrets)
		for p, f := range r.Fingerprints {
			c.Secrets[p] = SecretAttr{Fingerprint: f}
		}
	}
	return &c
}

// fingerprint is the fingerprint of a desired secret: of its resolved
// value when there are records to compare it with, else the one it
// carries (none, unless a caller set it).
func (rec Recorded) fingerprint(s SecretAttr) string {
	if rec.Sum != nil && !s.Value.IsZero() {
		return rec.Sum(s.Value)
	}
	return s.Fingerprint
}
