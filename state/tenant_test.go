package state

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

const otherTenant = "https://beta.run.ai"

var otherScope = Scope{"runai": otherTenant}

// inTenant returns e as an entry of tenant.
func inTenant(e Entry, tenant string) Entry {
	e.Tenant = tenant
	return e
}

// Two tenants share one store: the same key holds one entry per tenant, and
// each tenant reads, replaces and removes only its own.
func TestTenantsShareAStore(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		a, other := mustOpen(t, spec), mustOpen(t, spec)
		if err := a.Put(ctx, entry("x", "a-1"), entry("only-a", "a-2")); err != nil {
			t.Fatal(err)
		}
		if err := other.Put(ctx, inTenant(entry("x", "b-1"), otherTenant)); err != nil {
			t.Fatal(err)
		}
		if err := other.Remove(ctx, Ref{Tenant: otherTenant, Key: key("only-a")}); err != nil {
			t.Fatal(err)
		}
		if err := a.Put(ctx, entry("x", "a-3")); err != nil {
			t.Fatal(err)
		}
		for _, reader := range []Store{a, other, mustOpen(t, spec)} {
			da, err := reader.Load(ctx, testScope)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Entry{entry("only-a", "a-2"), entry("x", "a-3")}, da.Sorted()); diff != "" {
				t.Fatalf("tenant A (-want +got):\n%s", diff)
			}
			db, err := reader.Load(ctx, otherScope)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Entry{inTenant(entry("x", "b-1"), otherTenant)}, db.Sorted()); diff != "" {
				t.Fatalf("tenant B (-want +got):\n%s", diff)
			}
			// A scope whose provider is another one reads nothing of A's.
			ds, err := reader.Load(ctx, Scope{"seqera": testTenant})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds.Entries) != 0 {
				t.Fatalf("a Seqera scope at A's URL read %v", ds.Sorted())
			}
			all, err := reader.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []Entry{entry("only-a", "a-2"), entry("x", "a-3"), inTenant(entry("x", "b-1"), otherTenant)}
			if diff := cmp.Diff(want, all); diff != "" {
				t.Fatalf("List (-want +got):\n%s", diff)
			}
		}
		if err := a.Remove(ctx, ref("x")); err != nil {
			t.Fatal(err)
		}
		db, err := other.Load(ctx, otherScope)
		if err != nil || db.Entries[key("x")].ID != "b-1" {
			t.Fatalf("A's remove touched B: %v %v", db, err)
		}
		if err := a.Put(ctx, inTenant(entry("y", "1"), "")); err == nil || !strings.Contains(err.Error(), "names no tenant") {
			t.Fatalf("Put of an entry without a tenant: %v", err)
		}
	})
}

func TestTenant(t *testing.T) {
	for in, want := range map[string]string{
		"https://Acme.Run.AI/":            "https://acme.run.ai",
		"https://acme.run.ai:443":         "https://acme.run.ai",
		"HTTPS://user:pw@acme.run.ai//":   "https://acme.run.ai",
		"http://127.0.0.1:8080/api/":      "http://127.0.0.1:8080/api",
		"https://api.tower.nf/api?x=1":    "https://api.tower.nf/api",
		"  https://[::1]:443/ ":           "https://[::1]",
		"not a url/":                      "not a url",
		"https://tower.example.com/API/v": "https://tower.example.com/API/v",
	} {
		if got := Tenant(in); got != want {
			t.Errorf("Tenant(%q) = %q, want %q", in, got, want)
		}
	}
}

// A state file of format version 1 (before entries were keyed by tenant)
// loads with its entries unclaimed, and the first write rewrites it as
// version 2 without losing any of them.
func TestFileUpgradeKeepsEntries(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	if err := os.MkdirAll(path[:strings.LastIndex(path, "/")], 0o700); err != nil {
		t.Fatal(err)
	}
	old := entry("old", "1")
	old.Tenant = "https://ignored.example" // a version 1 file holds no tenant: whatever it says is ignored
	keyJSON, _ := json.Marshal(key("gone"))
	snap := `{"formatVersion":1,"salt":"c2FsdA==","seq":2,"entries":[` + mustJSON(t, old) + `]}`
	journal := `{"seq":3,"put":[` + mustJSON(t, entry("journaled", "2")) + `,` + mustJSON(t, entry("gone", "3")) + `]}` + "\n" +
		`{"seq":4,"remove":[` + string(keyJSON) + `]}` + "\n"
	if err := os.WriteFile(path, []byte(snap), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+journalSuffix, []byte(journal), 0o600); err != nil {
		t.Fatal(err)
	}
	unclaimed := []Entry{inTenant(entry("journaled", "2"), ""), inTenant(old, "")}
	st := openFile(t, path)
	d, err := st.Load(ctx, testScope)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Entries) != 0 || string(d.Salt) != "salt" {
		t.Fatalf("a version 1 state gave the scope %v (salt %q); want no entries of its own", d.Sorted(), d.Salt)
	}
	if diff := cmp.Diff(unclaimed, sortedEntries(d.Unclaimed)); diff != "" {
		t.Fatalf("unclaimed (-want +got):\n%s", diff)
	}
	n := notes(st)
	if err := st.Put(ctx, entry("new", "4")); err != nil {
		t.Fatal(err)
	}
	if msgs := n.all(); len(msgs) != 1 || !strings.Contains(msgs[0], "upgraded to format version 2") {
		t.Errorf("notes: %q", msgs)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"formatVersion": 2`) {
		t.Fatalf("the snapshot was not rewritten as version 2:\n%s", b)
	}
	all, err := mustOpen(t, path).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(unclaimed, entry("new", "4")), all); diff != "" {
		t.Fatalf("after the upgrade (-want +got):\n%s", diff)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An unclaimed entry is read only for the tenant whose live object has its
// id, and moved to that tenant when the Recorder writes it; another tenant
// with the same key never reads it.
func TestOverlayClaimsUnclaimedByID(t *testing.T) {
	legacy := Entry{Key: credKey, Provider: "runai", ID: "1"}
	load := func(scope Scope) (*Data, Fingerprinter) {
		d := &Data{Salt: []byte("salt"), Scope: scope, Entries: map[manifest.Key]Entry{}, Unclaimed: map[manifest.Key]Entry{}}
		fp := NewFingerprinter(d, "")
		legacy.KeyID = fp.KeyID()
		legacy.Fingerprints = map[string]string{"spec.password": fp.Sum(manifest.NewSecret("one"))}
		d.Unclaimed[credKey] = legacy
		return d, fp
	}

	// Tenant B has an object of the same key with another id: the entry is
	// not B's; B adopts its object without it, and never removes it.
	d, fp := load(otherScope)
	desired := []*diff.Object{desiredCred("two")}
	_, adopted := Records(d, fp, desired, []*diff.Object{liveCred("b-7")})
	if adopted[credKey] != "no state entry" || len(d.Entries) != 0 {
		t.Fatalf("tenant B read A's unclaimed entry: %v %v", adopted, d.Entries)
	}
	p := diff.Compute(desired, []*diff.Object{liveCred("b-7")}, noOwnership{}, diff.Options{})
	st := &memStore{entries: map[manifest.Key]Entry{credKey: legacy}}
	if err := NewRecorder(context.Background(), st, d, fp, p).Adopt(); err != nil {
		t.Fatal(err)
	}
	if got := st.entries[credKey]; got.Tenant != otherTenant || got.ID != "b-7" || st.removes != 0 {
		t.Fatalf("B's adoption: %+v, %d removes", got, st.removes)
	}

	// Tenant A owns the object with the entry's id: the fingerprint is
	// compared (a changed secret shows), and applying moves the entry.
	d, fp = load(testScope)
	live := []*diff.Object{liveCred("1")}
	rec, a := Records(d, fp, desired, live)
	if len(a) != 0 {
		t.Fatalf("A did not use its entry: %v", a)
	}
	p = diff.ComputeRecorded(desired, live, rec, noOwnership{}, diff.Options{})
	if diff := cmp.Diff([]string{"replace db: secret value changed (spec.password)"}, actions(p)); diff != "" {
		t.Fatalf("A's plan (-want +got):\n%s", diff)
	}
	st = &memStore{entries: map[manifest.Key]Entry{}}
	r := NewRecorder(context.Background(), st, d, fp, p)
	for _, w := range p.Steps() {
		for _, s := range w {
			if s.Phase != diff.PhaseDelete {
				if err := r.Record(s, apply.Result{ID: "2"}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if got := st.entries[credKey]; got.Tenant != testTenant || got.ID != "2" || st.removes != 1 || len(d.Unclaimed) != 0 {
		t.Fatalf("after A's apply: %+v, %d removes, unclaimed %v", got, st.removes, d.Unclaimed)
	}

	// With nothing to change, Adopt moves the entry as it is.
	d, fp = load(testScope)
	desired = []*diff.Object{desiredCred("one")}
	rec, _ = Records(d, fp, desired, live)
	p = diff.ComputeRecorded(desired, live, rec, noOwnership{}, diff.Options{})
	st = &memStore{entries: map[manifest.Key]Entry{}}
	if err := NewRecorder(context.Background(), st, d, fp, p).Adopt(); err != nil {
		t.Fatal(err)
	}
	want := inTenant(legacy, testTenant)
	if diff := cmp.Diff(want, st.entries[credKey]); diff != "" || st.removes != 1 {
		t.Fatalf("moved entry (-want +got):\n%s; %d removes", diff, st.removes)
	}
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"runai-sync apply --state postgres://runai:s3cr3t@db:5432/x -f m/":  "runai-sync apply --state postgres://runai:xxxxx@db:5432/x -f m/",
		"runai-sync apply --state=postgresql://u:p%40ss@db/x?sslmode=off":   "runai-sync apply --state=postgresql://u:xxxxx@db/x?sslmode=off",
		"apply --state postgres://db/x?sslmode=require&password=s3cr3t&a=b": "apply --state postgres://db/x?sslmode=require&password=xxxxx&a=b",
		"apply --state 'host=db password=s3cr3t dbname=x'":                  "apply --state 'host=db password=xxxxx dbname=x'",
		"runai-sync apply -f manifests/ --url https://acme.run.ai":          "runai-sync apply -f manifests/ --url https://acme.run.ai",
	} {
		if got := Scrub(in); got != want {
			t.Errorf("Scrub(%q)\n = %q\nwant %q", in, got, want)
		}
	}
	h := Holder{Host: "h", PID: 1, Since: time.Unix(0, 0), Command: "runai-sync apply --state postgres://u:s3cr3t@db/x"}
	if strings.Contains(h.String(), "s3cr3t") {
		t.Fatalf("Holder.String shows the password: %s", h)
	}
}

// A state read for every tenant a run could need, then narrowed to the
// ones its manifests need, holds what a read of those alone holds.
func TestNarrowEqualsALoadOfTheNarrowScope(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend, spec string) {
		st := mustOpen(t, spec)
		seqeraEntry := inTenant(entry("s", "s-1"), otherTenant)
		seqeraEntry.Provider = "seqera"
		if err := st.Put(ctx, entry("r", "r-1"), seqeraEntry, inTenant(entry("elsewhere", "e-1"), "https://gamma.run.ai")); err != nil {
			t.Fatal(err)
		}
		wide, err := st.Load(ctx, Scope{"runai": testTenant, "seqera": otherTenant})
		if err != nil {
			t.Fatal(err)
		}
		if len(wide.Entries) != 2 {
			t.Fatalf("the wide scope read %v", wide.Sorted())
		}
		for _, scope := range []Scope{testScope, {"seqera": otherTenant}, {}, {"runai": testTenant, "seqera": otherTenant}} {
			want, err := st.Load(ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			got := wide.Narrow(scope)
			if diff := cmp.Diff(want.Sorted(), got.Sorted()); diff != "" {
				t.Errorf("scope %v (-load +narrow):\n%s", scope, diff)
			}
			if !cmp.Equal(got.Scope, scope) || string(got.Salt) != string(want.Salt) {
				t.Errorf("scope %v: narrowed to scope %v", scope, got.Scope)
			}
		}
	})
}
