package state

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

var (
	credKey = manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "12", Name: "db"}
	saKey   = manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	loginK  = manifest.Key{Kind: manifest.KindCredential, Type: "genericSecret", Scope: "project", ScopeID: "12", Name: "login"}
)

func desiredCred(pw string) *diff.Object {
	return &diff.Object{Key: credKey, Provider: "runai", Attrs: map[string]string{}, InPlace: []string{"metadata.description"},
		Secrets: map[string]diff.SecretAttr{"spec.password": {Source: "env PW", Value: manifest.NewSecret(pw)}}}
}

func liveCred(id string) *diff.Object {
	return &diff.Object{Key: credKey, Provider: "runai", ID: id, Attrs: map[string]string{}}
}

func desiredSA(rotation string) *diff.Object {
	o := &diff.Object{Key: saKey, Provider: "runai", Attrs: map[string]string{"spec.enabled": "true"},
		InPlace: []string{"spec.enabled", "spec.rotation"}, Regenerates: []string{"spec.rotation"}}
	if rotation != "" {
		o.Attrs["spec.rotation"] = `"` + rotation + `"`
	}
	return o
}

func liveSA(id string) *diff.Object {
	return &diff.Object{Key: saKey, Provider: "runai", ID: id, Attrs: map[string]string{"spec.enabled": "true"},
		Outputs: map[string]manifest.Secret{"clientId": manifest.NewSecret("client-ci")}}
}

func actions(p *diff.Plan) []string {
	var out []string
	for _, c := range p.Actionable() {
		out = append(out, c.Action.String()+" "+c.Key.Name+": "+c.Reason)
	}
	return out
}

func TestOverlay(t *testing.T) {
	d := &Data{Salt: []byte("salt"), Entries: map[manifest.Key]Entry{}}
	fp := NewFingerprinter(d, "")
	record := func(e Entry) { e.KeyID = fp.KeyID(); e.AppliedAt = time.Unix(1, 0); d.Entries[e.Key] = e }
	plan := func(desired, live []*diff.Object) (*diff.Plan, map[manifest.Key]string) {
		rec, a := Records(d, fp, desired, live)
		p := diff.ComputeRecorded(desired, live, rec, noOwnership{}, diff.Options{})
		Annotate(p, a)
		return p, a
	}

	// No entry: adopted, noted, not replaced.
	p, adopted := plan([]*diff.Object{desiredCred("one")}, []*diff.Object{liveCred("1")})
	if len(p.Actionable()) != 0 || adopted[credKey] != "no state entry" || !strings.Contains(strings.Join(p.Notes, " "), "secret not verified for 1 existing object") {
		t.Fatalf("adoption: %v %v %v", actions(p), adopted, p.Notes)
	}

	// Recorded with the same value: nothing to do; another value: replace.
	record(Entry{Key: credKey, Provider: "runai", ID: "1", Fingerprints: map[string]string{"spec.password": fp.Sum(manifest.NewSecret("one"))}})
	if p, _ := plan([]*diff.Object{desiredCred("one")}, []*diff.Object{liveCred("1")}); len(p.Actionable()) != 0 {
		t.Errorf("same secret: %v", actions(p))
	}
	p, _ = plan([]*diff.Object{desiredCred("two")}, []*diff.Object{liveCred("1")})
	if diff := cmp.Diff([]string{"replace db: secret value changed (spec.password)"}, actions(p)); diff != "" {
		t.Errorf("changed secret (-want +got):\n%s", diff)
	}

	// The entry of another id (recreated by hand) or made with another key
	// is unknown, never "changed".
	for name, live := range map[string]*diff.Object{"other id": liveCred("2")} {
		p, adopted := plan([]*diff.Object{desiredCred("two")}, []*diff.Object{live})
		if len(p.Actionable()) != 0 || !strings.Contains(adopted[credKey], "not 2") {
			t.Errorf("%s: %v %v", name, actions(p), adopted)
		}
	}
	otherKey := NewFingerprinter(d, "RUNAI_SYNC_STATE_KEY value")
	desired := []*diff.Object{desiredCred("two")}
	_, a := Records(d, otherKey, desired, []*diff.Object{liveCred("1")})
	if !strings.Contains(a[credKey], "state key") {
		t.Errorf("a changed state key should make fingerprints unknown: %v", a)
	}

	// Rotation: adopted markers never regenerate; a recorded one compares.
	p, _ = plan([]*diff.Object{desiredSA("2026-11")}, []*diff.Object{liveSA("sa-1")})
	if len(p.Actionable()) != 0 {
		t.Errorf("adopting a rotation marker must not regenerate: %v", actions(p))
	}
	record(Entry{Key: saKey, Provider: "runai", ID: "sa-1", Rotation: "2026-11"})
	p, _ = plan([]*diff.Object{desiredSA("2026-12")}, []*diff.Object{liveSA("sa-1")})
	if diff := cmp.Diff([]string{"update ci: spec.rotation (the secret is regenerated) changed"}, actions(p)); diff != "" {
		t.Errorf("rotation (-want +got):\n%s", diff)
	}

	// An undelivered secret is generated again and delivered.
	e := d.Entries[saKey]
	e.Pending = []manifest.Key{loginK}
	d.Entries[saKey] = e
	login := &diff.Object{Key: loginK, Provider: "runai", Attrs: map[string]string{}, InPlace: []string{"metadata.description"},
		Secrets: map[string]diff.SecretAttr{"spec.keyValuePairs.S": {Output: &diff.OutputRef{Key: saKey, Field: "clientSecret"}}}}
	p, _ = plan([]*diff.Object{desiredSA("2026-11"), login}, []*diff.Object{liveSA("sa-1"), {Key: loginK, Provider: "runai", ID: "9", Attrs: map[string]string{}}})
	want := []string{
		"update ci: the secret an earlier apply generated never reached Credential genericSecret login (project 12): it is generated and delivered again",
		"replace login: spec.keyValuePairs.S takes the new clientSecret of ServiceAccount ci",
	}
	if diff := cmp.Diff(want, actions(p)); diff != "" {
		t.Errorf("undelivered (-want +got):\n%s", diff)
	}
}

type noOwnership struct{}

func (noOwnership) Owner(manifest.Key) string         { return "" }
func (noOwnership) Ignored(manifest.Key) bool         { return false }
func (noOwnership) ProtectedByRule(manifest.Key) bool { return false }
func (noOwnership) HasOwnership() bool                { return false }

// memStore is a Store in memory, counting writes.
type memStore struct {
	Store
	puts, removes int
	entries       map[manifest.Key]Entry
}

func (m *memStore) Put(_ context.Context, es ...Entry) error {
	for _, e := range es {
		m.puts++
		m.entries[e.Key] = e
	}
	return nil
}

func (m *memStore) Remove(_ context.Context, refs ...Ref) error {
	for _, r := range refs {
		m.removes++
		if e, ok := m.entries[r.Key]; ok && e.Tenant == r.Tenant {
			delete(m.entries, r.Key)
		}
	}
	return nil
}

func TestRecorderTracksDelivery(t *testing.T) {
	d := &Data{Salt: []byte("s"), Scope: testScope, Entries: map[manifest.Key]Entry{}}
	fp := NewFingerprinter(d, "")
	sa := desiredSA("2026-11")
	login := &diff.Object{Key: loginK, Provider: "runai", Attrs: map[string]string{},
		Secrets: map[string]diff.SecretAttr{"spec.keyValuePairs.S": {Output: &diff.OutputRef{Key: saKey, Field: "clientSecret"}}}}
	cred := desiredCred("pw")
	rec, _ := Records(d, fp, []*diff.Object{sa, login, cred}, nil)
	p := diff.ComputeRecorded([]*diff.Object{sa, login, cred}, nil, rec, noOwnership{}, diff.Options{})
	st := &memStore{entries: map[manifest.Key]Entry{}}
	r := NewRecorder(context.Background(), st, d, fp, p)
	var saStep, loginStep, credStep diff.Step
	for _, w := range p.Steps() {
		for _, s := range w {
			switch s.Change.Key {
			case saKey:
				saStep = s
			case loginK:
				loginStep = s
			case credKey:
				credStep = s
			}
		}
	}
	if err := r.Intend(saStep); err != nil {
		t.Fatal(err)
	}
	if got := st.entries[saKey]; got.ID != "" || len(got.Pending) != 1 {
		t.Fatalf("intent: %+v", got)
	}
	if err := r.Record(saStep, apply.Result{ID: "sa-1"}); err != nil {
		t.Fatal(err)
	}
	if got := st.entries[saKey]; got.ID != "sa-1" || got.Rotation != "2026-11" || len(got.Pending) != 1 {
		t.Fatalf("after the account: %+v", got)
	}
	if err := r.Record(loginStep, apply.Result{ID: "l-1"}); err != nil {
		t.Fatal(err)
	}
	if got := st.entries[saKey]; len(got.Pending) != 0 {
		t.Errorf("delivered, yet pending: %+v", got)
	}
	if err := r.Record(credStep, apply.Result{ID: "c-1"}); err != nil {
		t.Fatal(err)
	}
	if got := st.entries[credKey]; got.Fingerprints["spec.password"] != fp.Sum(manifest.NewSecret("pw")) || got.KeyID != fp.KeyID() {
		t.Errorf("credential entry: %+v", got)
	}
	for _, e := range st.entries {
		for _, f := range e.Fingerprints {
			if strings.Contains(f, "pw") {
				t.Fatal("a fingerprint holds the value")
			}
		}
	}
}

// Attributes the API did not return are compared through the fingerprints
// recorded at the last apply: equal, changed, dropped from the manifest, or
// unknown (taken as desired, and adopted).
func TestOverlayFillsUnread(t *testing.T) {
	k := manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: "workspace", ScopeID: "1001", Name: "gh"}
	const user = "spec.keys.username"
	desired := func(v string) *diff.Object {
		o := &diff.Object{Key: k, Provider: "seqera", Attrs: map[string]string{"spec.provider": `"github"`}, InPlace: []string{user}, Fingerprinted: []string{user}}
		if v != "" {
			o.Attrs[user] = `"` + v + `"`
		}
		return o
	}
	live := func() *diff.Object {
		return &diff.Object{Key: k, Provider: "seqera", ID: "c1", Attrs: map[string]string{"spec.provider": `"github"`}, Unread: []string{user}}
	}
	d := &Data{Salt: []byte("salt"), Scope: Scope{"seqera": "https://api.example"}, Entries: map[manifest.Key]Entry{}}
	fp := NewFingerprinter(d, "")

	// No entry: unknown, taken as desired, adopted; Adopt records it.
	w, l := desired("octo"), live()
	rec, adopted := Records(d, fp, []*diff.Object{w}, []*diff.Object{l})
	p := diff.ComputeRecorded([]*diff.Object{w}, []*diff.Object{l}, rec, noOwnership{}, diff.Options{})
	if len(p.Actionable()) != 0 || adopted[k] != "no state entry" {
		t.Fatalf("unknown: %v %v", actions(p), adopted)
	}
	st := &memStore{entries: map[manifest.Key]Entry{}}
	if err := NewRecorder(context.Background(), st, d, fp, p).Adopt(); err != nil {
		t.Fatal(err)
	}
	if got := st.entries[k].Attrs[user]; got != fp.SumText(`"octo"`) {
		t.Fatalf("recorded %q", got)
	}
	d.Entries[k] = st.entries[k]

	for _, tc := range []struct {
		name, want string
		actions    []string
	}{
		{"same", "octo", nil},
		{"changed", "octo-2", []string{"update gh: spec.keys.username changed"}},
		{"dropped", "", []string{"update gh: spec.keys.username changed"}},
	} {
		w, l := desired(tc.want), live()
		rec, a := Records(d, fp, []*diff.Object{w}, []*diff.Object{l})
		if len(a) != 0 {
			t.Errorf("%s: adopted %v", tc.name, a)
		}
		p := diff.ComputeRecorded([]*diff.Object{w}, []*diff.Object{l}, rec, noOwnership{}, diff.Options{})
		if diff := cmp.Diff(tc.actions, actions(p)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		if tc.actions != nil && p.Changes[0].Live.Attrs[user] != ChangedSinceApplied {
			t.Errorf("%s: live %s = %q", tc.name, user, p.Changes[0].Live.Attrs[user])
		}
	}
}

// Without a state, attributes the API did not return are taken as desired.
func TestAssumeUnread(t *testing.T) {
	k := manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: "workspace", Name: "gh"}
	w := &diff.Object{Key: k, Attrs: map[string]string{"spec.keys.username": `"octo"`}}
	l := &diff.Object{Key: k, Unread: []string{"spec.keys.username", "spec.keys.other"}}
	other := &diff.Object{Key: manifest.Key{Kind: manifest.KindSeqeraCredential, Name: "unmanaged"}, Unread: []string{"spec.keys.username"}}
	rec := AssumeUnread([]*diff.Object{w}, []*diff.Object{l, other})
	if n := len(rec.Records[k].Attrs); n != 1 {
		t.Fatalf("AssumeUnread = %d, want 1", n)
	}
	p := diff.ComputeRecorded([]*diff.Object{w}, []*diff.Object{l, other}, rec, noOwnership{}, diff.Options{})
	if diff := cmp.Diff(map[string]string{"spec.keys.username": `"octo"`}, p.Changes[0].Live.Attrs); diff != "" {
		t.Errorf("live attrs (-want +got):\n%s", diff)
	}
	if _, found := rec.Records[other.Key]; found {
		t.Errorf("an object no manifest declares was filled in: %v", rec.Records[other.Key])
	}
}

// Records reads the objects and changes none: what the state recorded
// reaches the plan through the Recorded it returns.
func TestRecordsChangeNoObject(t *testing.T) {
	d := &Data{Salt: []byte("salt"), Entries: map[manifest.Key]Entry{}}
	fp := NewFingerprinter(d, "")
	d.Entries[credKey] = Entry{Key: credKey, Provider: "runai", ID: "1", KeyID: fp.KeyID(), Fingerprints: map[string]string{"spec.password": fp.Sum(manifest.NewSecret("old"))}}
	d.Entries[saKey] = Entry{Key: saKey, Provider: "runai", ID: "sa-1", Rotation: "2026-10", Pending: []manifest.Key{loginK}}
	desired := []*diff.Object{desiredCred("new"), desiredSA("2026-11")}
	live := []*diff.Object{liveCred("1"), liveSA("sa-1")}
	before := func() []string {
		var out []string
		for _, o := range append(slices.Clone(desired), live...) {
			out = append(out, mustJSON(t, o)+" "+strings.Join(o.Unread, ","))
		}
		return out
	}
	was := before()
	rec, adopted := Records(d, fp, desired, live)
	if diff := cmp.Diff(was, before()); diff != "" || len(adopted) != 0 {
		t.Fatalf("Records changed objects (-before +after):\n%s; adopted %v", diff, adopted)
	}
	want := map[manifest.Key]diff.Record{
		credKey: {Fingerprints: map[string]string{"spec.password": fp.Sum(manifest.NewSecret("old"))}},
		saKey:   {Attrs: map[string]string{"spec.rotation": `"2026-10"`}, Undelivered: []manifest.Key{loginK}},
	}
	if diff := cmp.Diff(want, rec.Records); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if rec.Sum(manifest.NewSecret("new")) != fp.Sum(manifest.NewSecret("new")) {
		t.Errorf("Sum is not the state's fingerprint")
	}
	p := diff.ComputeRecorded(desired, live, rec, noOwnership{}, diff.Options{})
	if diff := cmp.Diff(was, before()); diff != "" {
		t.Fatalf("ComputeRecorded changed objects (-before +after):\n%s", diff)
	}
	if got := actions(p); len(got) != 2 || !strings.HasPrefix(got[0], "update ci:") || got[1] != "replace db: secret value changed (spec.password)" {
		t.Errorf("plan = %q", got)
	}
}
