package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/runai-sync/runai-sync/resource"
)

// SavedFormatVersion is the version of the saved plan format.
const SavedFormatVersion = "1"

// Saved is a plan written by `plan --out` for review, then applied with
// `apply FILE`. It holds no secret value: the desired secrets appear as keyed
// fingerprints, the manifests as a keyed digest, the live objects the plan
// touches as digests of what the API showed.
type Saved struct {
	FormatVersion string        `json:"formatVersion"`
	CreatedAt     time.Time     `json:"createdAt"`
	Files         []string      `json:"files"`
	Options       Options       `json:"options"`
	Manifests     string        `json:"manifests"`
	KeyID         string        `json:"keyId"`
	Salt          string        `json:"salt,omitempty"`
	Summary       Summary       `json:"summary"`
	Changes       []SavedChange `json:"changes"`
	// MAC authenticates everything above: a keyed hash (see Body) made
	// with the key of the fingerprints. Apply refuses a plan whose MAC does
	// not match, so that no field (an option, an id, a change, a secret
	// digest) can be edited after review.
	MAC string `json:"mac"`
}

// Body is what MAC covers: the plan as canonical JSON with MAC empty. It
// is made from the parsed plan, so any edit of a field that apply reads
// changes it, while white space does not matter.
func (s *Saved) Body() []byte {
	c := *s
	c.MAC = ""
	b, _ := json.Marshal(&c)
	return b
}

// SavedChange is one change of a saved plan.
type SavedChange struct {
	Action Action       `json:"action"`
	Key    resource.Key `json:"key"`
	ID     string       `json:"id,omitempty"`
	// Live is the digest of the live object when the plan was made
	// ("absent" when there was none).
	Live string `json:"live"`
	// Secrets holds the fingerprints of the desired secret values.
	Secrets map[string]string `json:"secrets,omitempty"`
	Reason  string            `json:"reason,omitempty"`
}

// Fingerprint turns a secret value into a keyed fingerprint.
type Fingerprint func(resource.Secret) string

// Save records the actionable changes of p. manifests is the keyed digest
// of the manifest set; sum fingerprints secret values.
func Save(p *Plan, files []string, opts Options, manifests, keyID string, sum Fingerprint, now time.Time) *Saved {
	s := &Saved{FormatVersion: SavedFormatVersion, CreatedAt: now.UTC(), Files: files, Options: opts,
		Manifests: manifests, KeyID: keyID, Summary: p.Summary(), Changes: []SavedChange{}}
	for _, c := range p.Actionable() {
		s.Changes = append(s.Changes, SavedChange{Action: c.Action, Key: c.Key, ID: c.ID, Live: LiveDigest(c.Live),
			Secrets: secretSums(c.Desired, sum), Reason: c.Reason})
	}
	return s
}

// Stale compares the saved plan with the plan made now from the same
// manifests: each saved change must be exactly a change of the plan made
// now (same key, action, id, live object and secret digests, none missing
// on either side). Any change to an object the saved plan touches, to its
// secret values, or to what the plan would do to it, makes it stale. It returns one
// reason per object, naming it; none means the saved plan may be applied.
func (s *Saved) Stale(now *Plan, sum Fingerprint) []string {
	byKey := map[resource.Key]*Change{}
	for _, c := range now.Changes {
		byKey[c.Key] = c
	}
	var why []string
	var counts [5]int
	for _, sc := range s.Changes {
		if int(sc.Action) >= 0 && int(sc.Action) < len(counts) {
			counts[sc.Action]++
		}
	}
	if sum := s.Summary; counts[Create] != sum.Create || counts[Update] != sum.Update || counts[Replace] != sum.Replace || counts[Delete] != sum.Delete || counts[NoOp] != 0 {
		why = append(why, "the saved plan's summary does not count its changes")
	}
	for _, sc := range s.Changes {
		c := byKey[sc.Key]
		switch {
		case c == nil:
			why = append(why, fmt.Sprintf("%s is no longer in the plan", sc.Key))
			continue
		case LiveDigest(c.Live) != sc.Live:
			why = append(why, fmt.Sprintf("%s changed since the plan was made", sc.Key))
			continue
		case c.ID != sc.ID:
			why = append(why, fmt.Sprintf("%s has id %q in the saved plan, but the plan made now acts on id %q", sc.Key, sc.ID, c.ID))
			continue
		}
		// Every secret of the change, in the plan made now or in the saved
		// one: a digest missing from either side is a difference too.
		sums, secretChanged := secretSums(c.Desired, sum), false
		all := map[string]bool{}
		for p := range sums {
			all[p] = true
		}
		for p := range sc.Secrets {
			all[p] = true
		}
		for _, p := range slices.Sorted(maps.Keys(all)) {
			switch {
			case sc.Secrets[p] == "":
				why = append(why, fmt.Sprintf("the saved plan holds no digest of the secret %s of %s", p, sc.Key))
				secretChanged = true
			case sums[p] != sc.Secrets[p]:
				why = append(why, fmt.Sprintf("the secret value of %s (%s) changed since the plan was made", sc.Key, p))
				secretChanged = true
			}
		}
		if c.Action != sc.Action && !secretChanged {
			why = append(why, fmt.Sprintf("%s would now be %s, not %s", sc.Key, withArticle(c.Action.String()), withArticle(sc.Action.String())))
		}
	}
	return why
}

func withArticle(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// Restrict keeps, of the plan made now, only the changes the saved plan
// holds: a saved plan never applies more than was reviewed. Every other
// object stays in the plan as a no-op, so what its live object shows (a
// service account's client id) still reaches the steps that take it.
func (s *Saved) Restrict(now *Plan) *Plan {
	keep := map[resource.Key]bool{}
	for _, sc := range s.Changes {
		keep[sc.Key] = true
	}
	out := &Plan{Notes: now.Notes}
	for _, c := range now.Changes {
		if !keep[c.Key] && c.Action != NoOp {
			c = &Change{Action: NoOp, Key: c.Key, Provider: c.Provider, ID: c.ID, Desired: c.Desired, Live: c.Live}
		}
		out.Changes = append(out.Changes, c)
	}
	for _, r := range now.Refusals {
		if r.Key.Kind == "" || keep[r.Key] {
			out.Refusals = append(out.Refusals, r)
		}
	}
	return out
}

func secretSums(o *Object, sum Fingerprint) map[string]string {
	if o == nil {
		return nil
	}
	var out map[string]string
	for p, s := range o.Secrets {
		if s.Value.IsZero() {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[p] = sum(s.Value)
	}
	return out
}

// LiveDigest identifies what the API showed of an object: its id,
// attributes, recorded fingerprints, usage and sync outcome; "absent" for
// no object.
func LiveDigest(o *Object) string {
	if o == nil {
		return "absent"
	}
	fps := map[string]string{}
	for p, s := range o.Secrets {
		fps[p] = s.Fingerprint
	}
	b, _ := json.Marshal(struct {
		ID      string            `json:"id"`
		Attrs   map[string]string `json:"attrs"`
		Secrets map[string]string `json:"secrets"`
		UsedBy  []string          `json:"usedBy"`
	}{o.ID, o.Attrs, fps, o.UsedBy})
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}
