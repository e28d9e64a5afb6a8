package state

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Recorder saves each successful step of an apply (apply.Recorder), and
// before a step that generates a one-time secret, the intent to deliver it
// (apply.Intender). apply calls it from one goroutine at a time.
type Recorder struct {
	store Store
	data  *Data
	fp    Fingerprinter
	plan  *diff.Plan
	now   func() time.Time
	ctx   context.Context
}

var (
	_ apply.Recorder = (*Recorder)(nil)
	_ apply.Intender = (*Recorder)(nil)
)

// NewRecorder records into st the apply of plan; d is the state loaded
// before the plan, kept up to date as steps are recorded.
func NewRecorder(ctx context.Context, st Store, d *Data, fp Fingerprinter, plan *diff.Plan) *Recorder {
	return &Recorder{store: st, data: d, fp: fp, plan: plan, now: time.Now, ctx: ctx}
}

// dependents lists the changes of the plan that take a one-time output of
// k and will run after it.
func (r *Recorder) dependents(k manifest.Key) []manifest.Key {
	var out []manifest.Key
	for _, c := range r.plan.Changes {
		if c.Desired == nil || !(c.Action == diff.Create || c.Action == diff.Replace || c.Action == diff.Update) {
			continue
		}
		for _, s := range c.Desired.Secrets {
			if s.Output != nil && s.Output.Key == k && s.Output.Field == clientSecret && !slices.Contains(out, c.Key) {
				out = append(out, c.Key)
			}
		}
	}
	slices.SortFunc(out, manifest.Key.Compare)
	return out
}

// Intend records, before a step generates a one-time secret, which
// dependents must receive it; if the apply dies now, the next run sees them
// as undelivered and generates the secret again.
func (r *Recorder) Intend(step diff.Step) error {
	c := step.Change
	e := r.data.Entries[c.Key]
	e.Key, e.Provider = c.Key, c.Provider
	if c.Action == diff.Create || c.Action == diff.Replace {
		e.ID = "" // the id is known only once the object exists
	}
	e.Pending = r.dependents(c.Key)
	if len(e.Pending) == 0 {
		return nil
	}
	e.AppliedAt = r.now().UTC()
	return r.put(e)
}

// Record saves what a successful step did.
func (r *Recorder) Record(step diff.Step, res apply.Result) error {
	c := step.Change
	if step.Phase == diff.PhaseDelete {
		e, ok := r.data.Entries[c.Key]
		if !ok {
			return nil
		}
		refs := []Ref{e.Ref()}
		if r.data.claimed[c.Key] {
			refs = append(refs, Ref{Key: c.Key})
		}
		if err := r.store.Remove(r.ctx, refs...); err != nil {
			return err
		}
		delete(r.data.Entries, c.Key)
		r.forgetClaim(c.Key)
		return nil
	}
	id := res.ID
	if id == "" {
		id = c.ID
	}
	e := r.entryFor(c, id)
	if c.Regenerate {
		e.Pending = r.dependents(c.Key)
	} else if prev, ok := r.data.Entries[c.Key]; ok {
		e.Pending = prev.Pending
	}
	if err := r.put(e); err != nil {
		return err
	}
	return r.delivered(c)
}

// delivered clears c from the pending lists of the sources it took a
// one-time secret from.
func (r *Recorder) delivered(c *diff.Change) error {
	if c.Desired == nil {
		return nil
	}
	for _, s := range c.Desired.Secrets {
		if s.Output == nil || s.Output.Field != clientSecret {
			continue
		}
		src, ok := r.data.Entries[s.Output.Key]
		if !ok || !slices.Contains(src.Pending, c.Key) {
			continue
		}
		src.Pending = slices.DeleteFunc(slices.Clone(src.Pending), func(k manifest.Key) bool { return k == c.Key })
		if err := r.put(src); err != nil {
			return err
		}
	}
	return nil
}

// entryFor builds the entry of a desired object applied with live id.
func (r *Recorder) entryFor(c *diff.Change, id string) Entry {
	e := Entry{Key: c.Key, Provider: c.Provider, ID: id, KeyID: r.fp.KeyID(), AppliedAt: r.now().UTC()}
	d := c.Desired
	if d == nil {
		return e
	}
	for p, s := range d.Secrets {
		f := s.Fingerprint
		if !s.Value.IsZero() {
			f = r.fp.Sum(s.Value)
		}
		if f != "" {
			if e.Fingerprints == nil {
				e.Fingerprints = map[string]string{}
			}
			e.Fingerprints[p] = f
		}
	}
	for _, p := range d.Fingerprinted {
		if v, ok := d.Attrs[p]; ok {
			if e.Attrs == nil {
				e.Attrs = map[string]string{}
			}
			e.Attrs[p] = r.fp.SumText(v)
		}
	}
	if q, ok := d.Attrs[rotationPath]; ok {
		if v, err := strconv.Unquote(q); err == nil {
			e.Rotation = v
		}
	}
	return e
}

// put saves e for the scope's tenant of its provider; an entry claimed from
// the unclaimed ones is then removed from them.
func (r *Recorder) put(e Entry) error {
	return r.putAll([]Entry{e})
}

func (r *Recorder) putAll(entries []Entry) error {
	var claims []Ref
	for i, e := range entries {
		t := r.data.Scope[e.Provider]
		if t == "" {
			return fmt.Errorf("state: no tenant for provider %q of %s (internal error); nothing was saved", e.Provider, e.Key)
		}
		entries[i].Tenant = t
		if r.data.claimed[e.Key] {
			claims = append(claims, Ref{Key: e.Key})
		}
	}
	if err := r.store.Put(r.ctx, entries...); err != nil {
		return err
	}
	if r.data.Entries == nil {
		r.data.Entries = map[manifest.Key]Entry{}
	}
	for _, e := range entries {
		r.data.Entries[e.Key] = e
	}
	if len(claims) == 0 {
		return nil
	}
	// A crash before this leaves the unclaimed copy behind: the tenant's
	// entry, now saved, comes first, and the copy is removed next time.
	if err := r.store.Remove(r.ctx, claims...); err != nil {
		return err
	}
	for _, c := range claims {
		r.forgetClaim(c.Key)
	}
	return nil
}

func (r *Recorder) forgetClaim(k manifest.Key) {
	if r.data.claimed[k] {
		delete(r.data.claimed, k)
		delete(r.data.Unclaimed, k)
	}
}

// missingAttrs reports whether the live object of c lacks attributes that
// e holds no fingerprint of (an entry written before they were recorded).
func missingAttrs(e Entry, c *diff.Change) bool {
	for _, p := range c.Live.Unread {
		if _, ok := c.Desired.Attrs[p]; ok && e.Attrs[p] == "" {
			return true
		}
	}
	return false
}

// Adopt records the objects the plan left alone that the state does not
// know yet (or knows under another id or key), with the current desired
// fingerprints: from now on a change of their secrets in git is seen.
func (r *Recorder) Adopt() error {
	kid := r.fp.KeyID()
	var entries []Entry
	for _, c := range r.plan.Changes {
		if c.Action != diff.NoOp || c.Live == nil || c.Desired == nil {
			continue
		}
		if e, ok := r.data.Entries[c.Key]; ok && e.ID == c.Live.ID && (len(e.Fingerprints)+len(e.Attrs) == 0 || e.KeyID == kid) && len(e.Pending) == 0 && !missingAttrs(e, c) {
			if r.data.claimed[c.Key] {
				entries = append(entries, e) // moved to the tenant as it is
			}
			continue
		}
		entries = append(entries, r.entryFor(c, c.Live.ID))
	}
	if len(entries) == 0 {
		return nil
	}
	return r.putAll(entries)
}
