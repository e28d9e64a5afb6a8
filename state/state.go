package state

import (
	"context"
	"strconv"
	"time"

	"github.com/runai-sync/runai-sync/manifest"
)

// Entry is what the state remembers of one managed resource. It never
// holds a secret value: Fingerprints are keyed hashes (see Fingerprinter).
type Entry struct {
	// Tenant is the tenant the entry belongs to (see Tenant): with Key it
	// identifies the entry. "" marks an entry written before entries were
	// keyed by tenant, unclaimed until a run proves it its own (Records).
	Tenant   string       `json:"tenant,omitempty"`
	Key      manifest.Key `json:"key"`
	Provider string       `json:"provider"`
	// ID is the live id the entry belongs to: an entry whose id differs
	// from the live object's describes an object that no longer exists.
	ID string `json:"id"`
	// Fingerprints maps each secret field path ("spec.password") to the
	// fingerprint of the value last applied.
	Fingerprints map[string]string `json:"fingerprints,omitempty"`
	// Attrs maps each attribute the API may not return (diff.Object's
	// Fingerprinted: Seqera's non-secret keys) to the fingerprint of the
	// value last applied, made like those of secrets.
	Attrs map[string]string `json:"attrs,omitempty"`
	// KeyID names the key the fingerprints were made with (see
	// Fingerprinter.KeyID); fingerprints made with another key are unknown.
	KeyID string `json:"keyId,omitempty"`
	// Rotation is the rotation marker last applied (service accounts and
	// access keys).
	Rotation string `json:"rotation,omitempty"`
	// Pending lists dependents that still wait for a one-time secret of
	// this resource (set when a secret was regenerated, cleared when every
	// dependent received it).
	Pending []manifest.Key `json:"pending,omitempty"`
	// AppliedAt is when the entry was last written.
	AppliedAt time.Time `json:"appliedAt"`
}

// Ref identifies an entry: its tenant and key.
type Ref struct {
	Tenant string       `json:"tenant,omitempty"`
	Key    manifest.Key `json:"key"`
}

// Ref returns the entry's identity.
func (e Entry) Ref() Ref { return Ref{Tenant: e.Tenant, Key: e.Key} }

// Data is what one run sees of the state: the per-state salt, and the
// entries of the tenants of its Scope.
type Data struct {
	// Salt keys the fingerprints unless RUNAI_SYNC_STATE_KEY is set; it is
	// random, made when the state is first created.
	Salt []byte
	// Scope is the scope the data was loaded for; the Recorder stamps the
	// entries it writes with its tenants.
	Scope Scope
	// Entries are the scope's entries, by key (keys of two providers never
	// collide: their kinds differ).
	Entries map[manifest.Key]Entry
	// Unclaimed are the entries of no tenant, written before entries were
	// keyed by tenant. Records claims one for the scope only when its id is
	// the id of the live object of the same key; the others are never read.
	Unclaimed map[manifest.Key]Entry
	// claimed are the keys Records claimed from Unclaimed: the Recorder
	// moves them to the scope's tenant when it writes them.
	claimed map[manifest.Key]bool
}

// Sorted returns the scope's entries ordered by tenant and key, for
// listings that must not depend on map order.
func (d *Data) Sorted() []Entry { return sortedEntries(d.Entries) }

// Holder describes who holds the lock.
type Holder struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
	// Command is what the holder runs, e.g. "runai-sync apply -f manifests/".
	Command string `json:"command,omitempty"`
}

// Store is a state backend: a local file or PostgreSQL. One store serves
// many tenants: every entry is identified by its tenant and key, and a run
// reads and writes only the entries of its Scope.
type Store interface {
	// Load reads the entries of the scope's tenants (and the unclaimed
	// ones, see Data.Unclaimed); a state that does not exist yet loads
	// empty, with a new salt (saved on the first write).
	Load(ctx context.Context, scope Scope) (*Data, error)
	// List reads every entry of every tenant, ordered by tenant and key
	// (runai-sync state list).
	List(ctx context.Context) ([]Entry, error)
	// Put saves entries (insert or replace by tenant and key), durably,
	// before it returns; an entry without a tenant is refused. It is called
	// after each successful change, so it must stay cheap as the state
	// grows.
	Put(ctx context.Context, entries ...Entry) error
	// Remove forgets entries; Ref{Tenant: ""} names an unclaimed one.
	Remove(ctx context.Context, refs ...Ref) error
	// Lock takes the apply lock of the scope's tenants, waiting up to
	// timeout; it fails with a *LockedError naming the holder. A holder
	// that died does not block forever. The returned function releases the
	// lock. A file has one lock for all its tenants; PostgreSQL has one per
	// tenant, so that runs for different tenants do not wait for each other.
	Lock(ctx context.Context, scope Scope, me Holder, timeout time.Duration) (unlock func() error, err error)
	// ForceUnlock breaks every lock of the store, whoever holds it
	// (runai-sync state unlock), and returns the holders it broke.
	ForceUnlock(ctx context.Context) (was []Holder, err error)
	// Describe names the backend for messages, without credentials:
	// ".runai-sync/state.json", "postgres://db.example.com/runai".
	Describe() string
	// Close releases connections and compacts what needs compacting.
	Close() error
}

// LockedError says the lock is held by someone else.
type LockedError struct {
	Holder Holder
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return "the state is locked by " + e.Holder.String() + " (waited " + e.Waited.Round(time.Second).String() + "); if that process is gone, run: runai-sync state unlock"
}

// String names the holder: "pid 4242 on ci-runner-7 since 2026-11-23T10:00:00Z (runai-sync apply …)".
func (h Holder) String() string {
	s := "pid " + strconv.Itoa(h.PID) + " on " + h.Host + " since " + h.Since.UTC().Format(time.RFC3339)
	if h.Command != "" {
		s += " (" + Scrub(h.Command) + ")"
	}
	return s
}

// Notifier is implemented by the stores (both backends) that can tell a
// person what happens while it happens: that Lock waits for a holder, that
// it took over the lock of a holder that died, that a torn journal record
// left by a killed run was ignored. Messages name no secret.
type Notifier interface {
	// SetNotify sets where messages go (e.g. a line on stderr); nil drops
	// them.
	SetNotify(func(msg string))
}

// Both backends implement Store and Notifier.
var (
	_ Store    = (*fileStore)(nil)
	_ Store    = (*pgStore)(nil)
	_ Notifier = (*fileStore)(nil)
	_ Notifier = (*pgStore)(nil)
)

// roundWait rounds a wait for messages: whole seconds, or milliseconds
// under a second.
func roundWait(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}
