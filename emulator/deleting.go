package emulator

import (
	"cmp"
	"slices"
	"time"
)

// Asynchronous deletion (Options.DeleteDelay) and the absence record.
//
// With a delete delay, DELETE marks a credential asset as being deleted:
// it stays listed with meta.deletedAt and deletedBy set and status
// "Deleting", its name still taken (a create of the same name, type and
// scope meets 409), until the delay has passed; then it is gone (404).
// Removal is lazy: every routed request, and every Go helper that reads
// assets, first reaps what is due.
//
// Every DELETE of a credential (with or without a delay) starts an absence
// of its name, which the next create of that name ends; Absences reports
// the gaps, so that tests can measure how long a replace left a credential
// missing.

// pendingDelete is an asset being deleted and when it goes.
type pendingDelete struct {
	id string
	at time.Time
}

// absence is the record of one name's absences.
type absence struct {
	since   *time.Time // set while absent
	gaps    int
	longest time.Duration
}

// Absence reports the absences of one credential name: how many times a
// delete was followed by a create, the longest such gap, and whether the
// name is absent now (deleted, not created again).
type Absence struct {
	// Name is "TYPE SCOPE[/SCOPEID] NAME", e.g. "password project/12 db".
	Name    string
	Gaps    int
	Longest time.Duration
	// AbsentSince is set when the name is absent now.
	AbsentSince *time.Time
}

// markDeleting starts the asynchronous deletion of a (the caller holds
// s.mu): it stays until now+DeleteDelay.
func (s *Server) markDeleting(a *asset, now time.Time, by string) {
	t := now.UTC()
	a.DeletedAt, a.DeletedBy = &t, by
	s.deleting = append(s.deleting, pendingDelete{id: a.ID, at: t.Add(s.opts.DeleteDelay)})
	s.pendingDeletes.Store(int64(len(s.deleting)))
}

// removeAsset deletes a at once (the caller holds s.mu).
func (s *Server) removeAsset(a *asset) {
	delete(s.db.Assets, a.ID)
	if s.db.assetNames[assetNameKey(a)] == a.ID {
		delete(s.db.assetNames, assetNameKey(a))
	}
}

// reap removes the assets whose deletion is due. It is cheap when nothing
// is being deleted.
func (s *Server) reap(now time.Time) {
	if s.pendingDeletes.Load() == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reapLocked(now)
}

// reapLocked is reap for a caller that holds s.mu.
func (s *Server) reapLocked(now time.Time) {
	n := 0
	for _, p := range s.deleting {
		if p.at.After(now) {
			break
		}
		if a := s.db.Assets[p.id]; a != nil && a.DeletedAt != nil {
			s.removeAsset(a)
			s.changed()
		}
		n++
	}
	if n > 0 {
		s.deleting = slices.Delete(s.deleting, 0, n)
		s.pendingDeletes.Store(int64(len(s.deleting)))
	}
}

// queueDeleting rebuilds the queue from loaded assets (at New).
func (s *Server) queueDeleting() {
	for _, a := range s.db.Assets {
		if a.DeletedAt != nil {
			s.deleting = append(s.deleting, pendingDelete{id: a.ID, at: a.DeletedAt.Add(s.opts.DeleteDelay)})
		}
	}
	slices.SortFunc(s.deleting, func(a, b pendingDelete) int { return a.at.Compare(b.at) })
	s.pendingDeletes.Store(int64(len(s.deleting)))
}

// absenceName names an asset's name key for Absences.
func absenceName(a *asset) string {
	scope := a.Scope
	if id := scopeID(a); id != "" {
		scope += "/" + id
	}
	return a.Type + " " + scope + " " + a.Name
}

// noteDeleted starts an absence of a's name (the caller holds s.mu).
func (s *Server) noteDeleted(a *asset, now time.Time) {
	k := absenceName(a)
	r := s.absences[k]
	if r == nil {
		r = &absence{}
		s.absences[k] = r
	}
	if r.since == nil {
		t := now
		r.since = &t
	}
}

// noteCreated ends an absence of a's name (the caller holds s.mu).
func (s *Server) noteCreated(a *asset, now time.Time) {
	r := s.absences[absenceName(a)]
	if r == nil || r.since == nil {
		return
	}
	gap := now.Sub(*r.since)
	r.gaps++
	r.longest = max(r.longest, gap)
	r.since = nil
}

// Absences reports, by name, every credential name that was deleted since
// the server started: how often it came back, its longest absence, and
// whether it is absent now. Sorted by name.
func (s *Server) Absences() []Absence {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Absence, 0, len(s.absences))
	for k, r := range s.absences {
		a := Absence{Name: k, Gaps: r.gaps, Longest: r.longest}
		if r.since != nil {
			t := *r.since
			a.AbsentSince = &t
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b Absence) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// absencesJSON renders Absences for GET /_emulator/absences.
func (s *Server) absencesJSON() map[string]any {
	names := map[string]any{}
	for _, a := range s.Absences() {
		e := map[string]any{"gaps": a.Gaps, "longestMs": a.Longest.Milliseconds()}
		if a.AbsentSince != nil {
			e["absentSince"] = formatTime(*a.AbsentSince)
		}
		names[a.Name] = e
	}
	return map[string]any{"names": names}
}
