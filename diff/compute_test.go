package diff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

// owns is a test Ownership: it owns credentials of project 12, service
// accounts named ci-*, ignores manual-* and protects prod-*.
type owns struct{ none bool }

func (o owns) Owner(k manifest.Key) string {
	if o.none {
		return ""
	}
	if (k.Kind == manifest.KindCredential && k.Scope == "project" && k.ScopeID == "12") ||
		(k.Kind == manifest.KindServiceAccount && strings.HasPrefix(k.Name, "ci-")) {
		return "team-a"
	}
	return ""
}
func (o owns) Ignored(k manifest.Key) bool         { return strings.HasPrefix(k.Name, "manual-") }
func (o owns) ProtectedByRule(k manifest.Key) bool { return strings.HasPrefix(k.Name, "prod-") }
func (o owns) HasOwnership() bool                  { return !o.none }

func cred(name string, attrs ...string) *Object {
	o := &Object{
		Key:      manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "12", Name: name},
		Provider: "runai", Attrs: map[string]string{}, InPlace: []string{"metadata.description"},
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		o.Attrs[attrs[i]] = attrs[i+1]
	}
	return o
}

func live(o *Object, id string) *Object {
	l := *o
	l.ID = id
	l.Secrets = nil
	l.Protected = false
	return &l
}

func withSecret(o *Object, path, fingerprint string) *Object {
	if o.Secrets == nil {
		o.Secrets = map[string]SecretAttr{}
	}
	o.Secrets[path] = SecretAttr{Source: "env X", Fingerprint: fingerprint}
	return o
}

func sa(name string) *Object {
	return &Object{Key: manifest.Key{Kind: manifest.KindServiceAccount, Name: name}, Provider: "runai",
		Attrs: map[string]string{"spec.enabled": "true"}, InPlace: []string{"spec.enabled", "spec.rotation"},
		Regenerates: []string{"spec.rotation"}}
}

func liveSA(o *Object) *Object {
	l := live(o, "sa-"+o.Key.Name)
	l.Outputs = map[string]manifest.Secret{"clientId": manifest.NewSecret("id-" + o.Key.Name)}
	return l
}

func needs(o *Object, path, field string, from manifest.Key) *Object {
	if o.Secrets == nil {
		o.Secrets = map[string]SecretAttr{}
	}
	o.Secrets[path] = SecretAttr{Source: "ServiceAccount", Output: &OutputRef{Key: from, Field: field}}
	return o
}

// brief summarises a plan for comparison: one line per actionable change,
// then refusals and notes.
func brief(p *Plan) []string {
	var out []string
	for _, c := range p.Actionable() {
		line := c.Action.String() + " " + c.Key.Name
		if c.Regenerate {
			line += " +regenerate"
		}
		if len(c.Fields) > 0 && c.Action != Create {
			line += " [" + strings.Join(c.ChangedPaths(), ",") + "]"
		}
		if c.Reason != "" {
			line += ": " + c.Reason
		}
		out = append(out, line)
	}
	for _, r := range p.Refusals {
		out = append(out, "refuse "+r.Guard+" ("+r.Lift+"): "+r.Message)
	}
	for _, u := range p.Unmanaged {
		out = append(out, "unmanaged "+u.Key.Name)
	}
	for _, n := range p.Notes {
		out = append(out, "note: "+n)
	}
	return out
}

func TestCompute(t *testing.T) {
	desc := func(s string) []string { return []string{"metadata.description", `"` + s + `"`} }
	tests := []struct {
		name    string
		desired []*Object
		live    []*Object
		own     Ownership
		opts    Options
		want    []string
	}{
		{name: "create", desired: []*Object{cred("a", desc("x")...)}, own: owns{},
			want: []string{"create a"}},
		{name: "no change", desired: []*Object{cred("a", desc("x")...)}, live: []*Object{live(cred("a", desc("x")...), "1")}, own: owns{},
			want: nil},
		{name: "description updates in place", desired: []*Object{cred("a", desc("new")...)}, live: []*Object{live(cred("a", desc("old")...), "1")}, own: owns{},
			want: []string{"update a [metadata.description]: metadata.description changed"}},
		{name: "a field the API cannot change forces a replace",
			desired: []*Object{cred("a", "spec.user", `"bob"`, "metadata.description", `"d"`)},
			live:    []*Object{live(cred("a", "spec.user", `"alice"`), "1")}, own: owns{},
			want: []string{"replace a [metadata.description,spec.user]: spec.user cannot change in place; metadata.description changed"}},
		{name: "a changed secret replaces, naming the field",
			desired: []*Object{withSecret(cred("a"), "spec.password", "fp-new")},
			live:    []*Object{withSecret(live(cred("a"), "1"), "spec.password", "fp-old")}, own: owns{},
			want: []string{"replace a [spec.password]: secret value changed (spec.password)"}},
		{name: "a secret that cannot be compared is noted, not changed",
			desired: []*Object{withSecret(cred("a"), "spec.password", "fp")},
			live:    []*Object{live(cred("a"), "1")}, own: owns{},
			want: []string{"note: 1 secret field of existing objects cannot be compared: the API never returns secret values and no state records them, so a secret changed only in git is not seen"}},
		{name: "prune deletes owned objects only",
			live: []*Object{live(cred("gone"), "1"), live(cred("keep"), "2"), live(cred("manual-x"), "3"),
				func() *Object { o := live(cred("other"), "4"); o.Key.ScopeID = "13"; return o }()},
			desired: []*Object{cred("keep")}, own: owns{}, opts: Options{Prune: true},
			want: []string{"delete gone: not in the manifests; inside Ownership team-a"}},
		{name: "without prune, owned objects not in manifests are unmanaged",
			live: []*Object{live(cred("gone"), "1"), live(cred("keep"), "2")}, desired: []*Object{cred("keep")}, own: owns{},
			want: []string{"unmanaged gone", "note: 1 object inside owned scopes is in no manifest (--prune would delete it): Credential password gone (project 12)"}},
		{name: "prune without ownership deletes nothing and says so",
			live: []*Object{live(cred("gone"), "1")}, own: owns{none: true}, opts: Options{Prune: true},
			want: []string{"note: --prune deletes nothing: the manifests hold no Ownership document saying what they own"}},
		{name: "in use: refused without --force",
			desired: []*Object{cred("a", "spec.user", `"b"`)},
			live: []*Object{func() *Object {
				o := live(cred("a", "spec.user", `"a"`), "1")
				o.UsedBy = []string{"training t1", "workspace w1"}
				return o
			}(), live(cred("b"), "2"), live(cred("c"), "3")}, own: owns{}, opts: Options{},
			want: []string{"replace a [spec.user]: spec.user cannot change in place",
				"refuse in-use (--force): will not replace Credential password a (project 12): in use by training t1, workspace w1",
				"unmanaged b", "unmanaged c",
				"note: 2 objects inside owned scopes are in no manifest (--prune would delete them): Credential password b (project 12); Credential password c (project 12)"}},
		{name: "in use: allowed with --force",
			desired: []*Object{cred("a", "spec.user", `"b"`)},
			live: []*Object{func() *Object {
				o := live(cred("a", "spec.user", `"a"`), "1")
				o.UsedBy = []string{"workspace w1"}
				return o
			}()}, own: owns{}, opts: Options{Force: true},
			want: []string{"replace a [spec.user]: spec.user cannot change in place"}},
		{name: "lifecycle.protect refuses a replace",
			desired: []*Object{func() *Object { o := cred("a", "spec.user", `"b"`); o.Protected = true; return o }()},
			live:    []*Object{live(cred("a", "spec.user", `"a"`), "1")}, own: owns{},
			want: []string{"replace a [spec.user]: spec.user cannot change in place",
				"refuse protected (--allow-protected): will not replace Credential password a (project 12): protected by lifecycle.protect"}},
		{name: "a protect rule refuses a prune; --allow-protected lifts it",
			live:    []*Object{live(cred("prod-db"), "1"), live(cred("a"), "2"), live(cred("b"), "3"), live(cred("c"), "4")},
			desired: []*Object{cred("a"), cred("b"), cred("c")}, own: owns{}, opts: Options{Prune: true},
			want: []string{"delete prod-db: not in the manifests; inside Ownership team-a",
				"refuse protected (--allow-protected): will not delete Credential password prod-db (project 12): protected by a protect rule"}},
		{name: "mass delete: every owned object",
			live: []*Object{live(cred("a"), "1")}, own: owns{}, opts: Options{Prune: true},
			want: []string{"delete a: not in the manifests; inside Ownership team-a",
				"refuse mass-delete (--allow-mass-delete): will not delete every owned object (1): a mistake in the manifests or the Ownership selectors looks like this"}},
		{name: "mass delete: more than 30% when 3 or more",
			live:    []*Object{live(cred("a"), "1"), live(cred("b"), "2"), live(cred("c"), "3"), live(cred("d"), "4"), live(cred("e"), "5"), live(cred("f"), "6")},
			desired: []*Object{cred("d"), cred("e"), cred("f")}, own: owns{}, opts: Options{Prune: true},
			want: []string{"delete a: not in the manifests; inside Ownership team-a", "delete b: not in the manifests; inside Ownership team-a", "delete c: not in the manifests; inside Ownership team-a",
				"refuse mass-delete (--allow-mass-delete): will not delete 3 of the 6 owned objects (50%): a mistake in the manifests or the Ownership selectors looks like this"}},
		{name: "mass delete: 2 of 6 is fine, and --allow-mass-delete lifts it",
			live:    []*Object{live(cred("a"), "1"), live(cred("b"), "2"), live(cred("c"), "3"), live(cred("d"), "4"), live(cred("e"), "5"), live(cred("f"), "6")},
			desired: []*Object{cred("c"), cred("d"), cred("e"), cred("f")}, own: owns{}, opts: Options{Prune: true},
			want: []string{"delete a: not in the manifests; inside Ownership team-a", "delete b: not in the manifests; inside Ownership team-a"}},
		{name: "a new service account: dependents get its secret after apply",
			desired: []*Object{sa("ci-a"), needs(cred("login"), "spec.keyValuePairs.S", "clientSecret", sa("ci-a").Key)},
			own:     owns{}, want: []string{"create ci-a +regenerate", "create login"}},
		{name: "a rotated service account replaces the credentials holding its secret",
			desired: []*Object{func() *Object { o := sa("ci-a"); o.Attrs["spec.rotation"] = `"2026-12"`; return o }(),
				needs(cred("login"), "spec.keyValuePairs.S", "clientSecret", sa("ci-a").Key),
				needs(cred("id-only"), "spec.keyValuePairs.I", "clientId", sa("ci-a").Key)},
			live: []*Object{func() *Object {
				o := liveSA(sa("ci-a"))
				o.Attrs = map[string]string{"spec.enabled": "true", "spec.rotation": `"2026-11"`}
				return o
			}(),
				live(cred("login"), "1"), live(cred("id-only"), "2")},
			own: owns{},
			want: []string{"update ci-a +regenerate [spec.rotation]: spec.rotation (the secret is regenerated) changed",
				"replace login [spec.keyValuePairs.S]: spec.keyValuePairs.S takes the new clientSecret of ServiceAccount ci-a"}},
		{name: "a recreated dependent makes the account show its secret again, and its siblings follow",
			desired: []*Object{sa("ci-a"),
				needs(cred("login", "spec.user", `"new"`), "spec.password", "clientSecret", sa("ci-a").Key),
				needs(cred("sibling"), "spec.password", "clientSecret", sa("ci-a").Key)},
			live: []*Object{liveSA(sa("ci-a")), live(cred("login", "spec.user", `"old"`), "1"), live(cred("sibling"), "2")},
			own:  owns{},
			want: []string{"update ci-a +regenerate: clientSecret regenerated: Credential password login (project 12) needs it, and it is shown only once",
				"replace login [spec.user,spec.password]: spec.user cannot change in place; spec.password takes the new clientSecret of ServiceAccount ci-a",
				"replace sibling [spec.password]: spec.password takes the new clientSecret of ServiceAccount ci-a"}},
		{name: "a secret field gone from the manifest is a change",
			desired: []*Object{cred("s")},
			live:    []*Object{withSecret(live(cred("s"), "9"), "spec.password", "old")}, own: owns{},
			want: []string{"replace s [spec.password]: secret removed (spec.password)"}},
		{name: "an update that resends every secret needs the one-time value again",
			desired: []*Object{sa("ci-a"), func() *Object {
				o := needs(cred("seq", "metadata.description", `"new"`), "spec.keys.password", "clientSecret", sa("ci-a").Key)
				o.InPlace, o.ResendsSecrets = []string{"*"}, true
				return o
			}()},
			live: []*Object{liveSA(sa("ci-a")), live(cred("seq", "metadata.description", `"old"`), "5")}, own: owns{},
			want: []string{"update ci-a +regenerate: clientSecret regenerated: Credential password seq (project 12) needs it, and it is shown only once",
				"update seq [metadata.description,spec.keys.password]: spec.keys.password takes the new clientSecret of ServiceAccount ci-a; metadata.description changed"}},
		{name: "a provider that updates everything in place updates a changed secret",
			desired: []*Object{func() *Object {
				o := withSecret(cred("s"), "spec.keys.password", "new")
				o.InPlace = []string{"*"}
				return o
			}()},
			live: []*Object{withSecret(live(cred("s"), "9"), "spec.keys.password", "old")}, own: owns{},
			want: []string{"update s [spec.keys.password]: secret value changed (spec.keys.password)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := brief(Compute(tt.desired, tt.live, tt.own, tt.opts))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}
