package state

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Paths of the diff model that the state records.
const (
	rotationPath = "spec.rotation"
	clientSecret = manifest.FieldClientSecret
)

// Records gives diff what the API cannot, as the input of
// diff.ComputeRecorded; it changes none of the objects. Its Sum
// fingerprints the resolved secret values of the desired objects; its
// records give live objects the fingerprints and rotation markers recorded
// when they were last applied.
//
// A live object with no usable entry (none, one for another id, or one made
// with another state key) is adopted: its secrets stay unknown (so it is
// never replaced on a guess), its rotation marker is taken as the desired
// one (so adopting never regenerates a secret), and it is returned with the
// reason, for the plan to say "secret not verified" and for Adopt to record
// it. An entry that holds only the intent to generate a secret (an apply
// died between the API call and the record) marks its dependents as
// undelivered, whatever the id.
//
// An unclaimed entry (written before entries were keyed by tenant) is used,
// and claimed for the scope's tenant, only when its id is the live object's:
// ids are unique across tenants, so an entry is never read for the wrong
// tenant. The Recorder moves claimed entries to the tenant when it writes.
func Records(d *Data, fp Fingerprinter, desired, live []*diff.Object) (diff.Recorded, map[manifest.Key]string) {
	wanted := make(map[manifest.Key]*diff.Object, len(desired))
	for _, o := range desired {
		wanted[o.Key] = o
	}
	rec := diff.Recorded{Sum: fp.Sum, Records: make(map[manifest.Key]diff.Record, len(live))}
	adopted := map[manifest.Key]string{}
	kid := fp.KeyID()
	for _, l := range live {
		w := wanted[l.Key]
		if w == nil {
			continue // not managed: pruned or ignored, nothing to compare
		}
		e, ok := d.Entries[l.Key]
		if u, found := d.Unclaimed[l.Key]; found && u.ID == l.ID && l.ID != "" && (!ok || e.ID != l.ID) && (u.Provider == "" || u.Provider == l.Provider) {
			e, ok = d.claim(u), true
		}
		var r diff.Record
		if ok && len(e.Pending) > 0 && (e.ID == l.ID || e.ID == "") {
			r.Undelivered = slices.Clone(e.Pending)
		}
		why := ""
		switch {
		case !ok:
			why = "no state entry"
		case e.ID != l.ID:
			why = fmt.Sprintf("the state entry is for id %s, not %s", orNone(e.ID), l.ID)
		case e.Provider != "" && e.Provider != l.Provider:
			why = "the state entry is for provider " + e.Provider
		case len(e.Fingerprints)+len(e.Attrs) > 0 && e.KeyID != kid:
			why = "the state key (RUNAI_SYNC_STATE_KEY) changed since it was applied"
		}
		unknown := unreadAttrs(&r, l, w, e, why == "", fp)
		if why == "" {
			r.Fingerprints = maps.Clone(e.Fingerprints)
			if e.Rotation != "" {
				setAttr(&r, rotationPath, strconv.Quote(e.Rotation))
			}
		} else {
			if v, ok := w.Attrs[rotationPath]; ok {
				setAttr(&r, rotationPath, v)
			}
			if hasValueSecrets(w) || w.Attrs[rotationPath] != "" || len(w.Regenerates) > 0 || unknown {
				adopted[l.Key] = why
			}
		}
		if len(r.Fingerprints)+len(r.Attrs)+len(r.Undelivered) > 0 {
			rec.Records[l.Key] = r
		}
	}
	return rec, adopted
}

// AssumeUnread is Records' treatment of attributes the API did not return
// when there is no state (--state none): each is taken as its desired
// value, never changed on a guess. Nothing else is recorded: no secret is
// compared, no rotation marker.
func AssumeUnread(desired, live []*diff.Object) diff.Recorded {
	wanted := map[manifest.Key]*diff.Object{}
	for _, o := range desired {
		wanted[o.Key] = o
	}
	rec := diff.Recorded{Records: map[manifest.Key]diff.Record{}}
	for _, l := range live {
		w := wanted[l.Key]
		if w == nil {
			continue
		}
		var r diff.Record
		for _, p := range l.Unread {
			if v, ok := w.Attrs[p]; ok {
				setAttr(&r, p, v)
			}
		}
		if len(r.Attrs) > 0 {
			rec.Records[l.Key] = r
		}
	}
	return rec
}

// ChangedSinceApplied stands for the live value of an attribute the API did
// not return and whose fingerprint differs from the desired value's.
const ChangedSinceApplied = "(changed since the last apply)"

// unreadAttrs gives r the values of the attributes of live object l that
// the API did not return (l.Unread), from the fingerprints entry e
// recorded (when usable): the desired value where it matches,
// ChangedSinceApplied where it does not or where the manifest dropped it.
// Without a fingerprint the value is unknown and taken as the desired one,
// never changed on a guess; it reports whether any was.
func unreadAttrs(r *diff.Record, l, w *diff.Object, e Entry, usable bool, fp Fingerprinter) (unknown bool) {
	for _, p := range l.Unread {
		want, inDesired := w.Attrs[p]
		rec := ""
		if usable {
			rec = e.Attrs[p]
		}
		switch {
		case rec == "" && inDesired:
			unknown = true
			setAttr(r, p, want)
		case rec == "":
		case !inDesired || fp.SumText(want) != rec:
			setAttr(r, p, ChangedSinceApplied)
		default:
			setAttr(r, p, want)
		}
	}
	return unknown
}

func orNone(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}

func setAttr(r *diff.Record, path, v string) {
	if r.Attrs == nil {
		r.Attrs = map[string]string{}
	}
	r.Attrs[path] = v
}

func hasValueSecrets(o *diff.Object) bool {
	for _, s := range o.Secrets {
		if s.Output == nil {
			return true
		}
	}
	return false
}

// Annotate notes on the plan the objects Records adopted.
func Annotate(p *diff.Plan, adopted map[manifest.Key]string) {
	if len(adopted) == 0 {
		return
	}
	keys := slices.SortedFunc(maps.Keys(adopted), manifest.Key.Compare)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k.String()+" ("+adopted[k]+")")
	}
	p.Notes = append(p.Notes, fmt.Sprintf("secret not verified for %d existing %s, adopted without a usable state entry: apply records their current secrets as applied: %s",
		len(keys), pluralize(len(keys), "object", "objects"), strings.Join(parts, "; ")))
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// claim takes the unclaimed entry u for the scope's tenant of its provider.
func (d *Data) claim(u Entry) Entry {
	u.Tenant = d.Scope[u.Provider]
	if d.Entries == nil {
		d.Entries = map[manifest.Key]Entry{}
	}
	d.Entries[u.Key] = u
	if d.claimed == nil {
		d.claimed = map[manifest.Key]bool{}
	}
	d.claimed[u.Key] = true
	return u
}
