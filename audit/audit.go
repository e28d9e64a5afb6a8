package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Input is everything an audit looks at.
type Input struct {
	// Live are the live objects of the providers read (Run:ai: credentials
	// with usage and status, service accounts, every user's access keys).
	Live []*diff.Object
	// Set is the manifest set (-f); nil audits the live state alone.
	Set *manifest.Set
	// Records are the state's records (with Set only).
	Records []Record
	// Providers lists the providers whose live state Live holds: records
	// of another provider are not judged.
	Providers []string
	// Now is the clock.
	Now time.Time
	// MaxKeyAge and UnusedFor are the thresholds.
	MaxKeyAge, UnusedFor time.Duration
}

// Record is a state record of a managed object.
type Record struct {
	Key      manifest.Key
	Provider string
	ID       string
}

// Run computes the findings, sorted by severity (most severe first), check
// and object.
func Run(in Input) []Finding {
	var out []Finding
	for _, o := range in.Live {
		out = append(out, liveFindings(in, o)...)
	}
	if in.Set != nil {
		out = append(out, disabledInUse(in)...)
		out = append(out, literalSecrets(in.Set)...)
		out = append(out, missing(in)...)
		out = append(out, staleRecords(in)...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Check, b.Check); c != 0 {
			return c
		}
		return a.Key.Compare(b.Key)
	})
	return out
}

func liveFindings(in Input, o *diff.Object) []Finding {
	f := func(check string, sev Severity, format string, args ...any) Finding {
		return Finding{Check: check, Severity: sev, Key: o.Key, Provider: o.Provider, ID: o.ID, Message: fmt.Sprintf(format, args...)}
	}
	var out []Finding
	switch o.Key.Kind {
	case manifest.KindAccessKey:
		if o.CreatedAt != nil {
			if age := in.Now.Sub(*o.CreatedAt); age > in.MaxKeyAge {
				out = append(out, f(CheckAccessKeyAge, Warning, "created %s ago (%s), older than --max-key-age %s; rotate it: make a new key, move its users, delete this one",
					elapsed(age), stamp(*o.CreatedAt), Duration(in.MaxKeyAge)))
			}
		}
		if msg, idle := idleness(in, o); idle {
			out = append(out, f(CheckAccessKeyUnused, Warning, "%s; delete it if nothing needs it", msg))
		}
	case manifest.KindServiceAccount:
		if msg, idle := idleness(in, o); idle {
			out = append(out, f(CheckServiceAccountUnused, Warning, "%s; disable or delete it if nothing needs it", msg))
		}
	case manifest.KindCredential:
		if o.Unhealthy { // the provider's word: Failed, Issues found or Deletion failed
			sev := Warning
			if o.Status != "Issues found" {
				sev = Critical
			}
			why := ""
			if o.StatusMessage != "" {
				why = " (" + o.StatusMessage + ")"
			}
			out = append(out, f(CheckCredentialSync, sev, "sync status %q%s: the clusters may not have it; see its status in Run:ai", o.Status, why))
		}
		if len(o.UsedBy) == 0 && o.Status != "Deleting" {
			out = append(out, f(CheckCredentialUnused, Info, "no workload or asset uses it; delete it if nothing will"))
		}
	}
	return out
}

// idleness says whether a service account or access key has been idle for
// longer than UnusedFor, counting from its last login, or from its creation
// when it never logged in.
func idleness(in Input, o *diff.Object) (string, bool) {
	limit := Duration(in.UnusedFor)
	switch {
	case o.LastLogin != nil:
		idle := in.Now.Sub(*o.LastLogin)
		return fmt.Sprintf("last used %s ago (%s), more than --unused-for %s", elapsed(idle), stamp(*o.LastLogin), limit), idle > in.UnusedFor
	case o.CreatedAt != nil:
		idle := in.Now.Sub(*o.CreatedAt)
		return fmt.Sprintf("never used, created %s ago (%s), more than --unused-for %s", elapsed(idle), stamp(*o.CreatedAt), limit), idle > in.UnusedFor
	}
	return "never used (creation time unknown)", true
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// disabledInUse reports disabled live service accounts whose secret or
// client id credentials of the manifests take (fromServiceAccount).
func disabledInUse(in Input) []Finding {
	holders := map[string][]string{} // service account name -> credentials
	for _, r := range in.Set.Resources {
		for _, sf := range r.Secrets() {
			if kind, ref := sf.Ref.Output(); kind == manifest.KindServiceAccount && !slices.Contains(holders[ref.Name], r.Key().String()) {
				holders[ref.Name] = append(holders[ref.Name], r.Key().String())
			}
		}
	}
	var out []Finding
	for _, o := range in.Live {
		if o.Key.Kind != manifest.KindServiceAccount || o.Attrs["spec.enabled"] != "false" || len(holders[o.Key.Name]) == 0 {
			continue
		}
		verb := "take"
		if len(holders[o.Key.Name]) == 1 {
			verb = "takes"
		}
		out = append(out, Finding{Check: CheckServiceAccountDisabledInUse, Severity: Warning, Key: o.Key, Provider: o.Provider, ID: o.ID,
			Message: fmt.Sprintf("disabled, but %s still %s its credentials: their users cannot log in; enable it or change them", strings.Join(holders[o.Key.Name], ", "), verb)})
	}
	return out
}

// literalSecrets reports secret fields written in the manifests.
func literalSecrets(set *manifest.Set) []Finding {
	var out []Finding
	for _, r := range set.Resources {
		for _, sf := range r.Secrets() {
			if !sf.Ref.IsLiteral() {
				continue
			}
			out = append(out, Finding{Check: CheckLiteralSecret, Severity: Critical, Key: r.Key(), Pos: r.Document().Pos(sf.Path), Path: sf.Path.String(),
				Message: fmt.Sprintf("%s is a plaintext secret in git; use fromEnv or fromFile, and rotate the value: it is in the history", sf.Path)})
		}
	}
	return out
}

// missing reports manifest objects with no live object of the same key
// (among the providers read).
func missing(in Input) []Finding {
	live := make(map[manifest.Key]bool, len(in.Live))
	for _, o := range in.Live {
		live[o.Key] = true
	}
	var out []Finding
	for _, r := range in.Set.Resources {
		k := r.Key()
		if live[k] || !slices.Contains(in.Providers, providerOf(k)) {
			continue
		}
		out = append(out, Finding{Check: CheckManagedMissing, Severity: Warning, Key: k, Pos: r.Document().Start,
			Message: "declared in the manifests but not in the live state; run apply, or remove the manifest"})
	}
	return out
}

// staleRecords reports state records whose object is gone: neither its key
// nor its id is live.
func staleRecords(in Input) []Finding {
	keys := make(map[manifest.Key]bool, len(in.Live))
	ids := make(map[string]bool, len(in.Live))
	for _, o := range in.Live {
		keys[o.Key] = true
		ids[o.Provider+"/"+o.ID] = true
	}
	var out []Finding
	for _, r := range in.Records {
		if keys[r.Key] || ids[r.Provider+"/"+r.ID] || !slices.Contains(in.Providers, r.Provider) {
			continue
		}
		out = append(out, Finding{Check: CheckStaleStateRecord, Severity: Info, Key: r.Key, Provider: r.Provider, ID: r.ID,
			Message: "the state has a record of it, but it is not in the live state (deleted by hand?); apply re-creates it if a manifest declares it"})
	}
	return out
}

// providerOf names the provider of a manifest kind.
func providerOf(k manifest.Key) string {
	if k.Kind == manifest.KindSeqeraCredential {
		return "seqera"
	}
	return "runai"
}
