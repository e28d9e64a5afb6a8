package diff

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/internal/golden"
	"github.com/runai-sync/runai-sync/manifest"
)

func rule(account, role, scope, id string) *Object {
	return &Object{Key: manifest.Key{Kind: manifest.KindAccessRule, Type: role, Scope: scope, ScopeID: id, Name: account}, Provider: "runai"}
}

// ruleSet is a manifest set declaring the service accounts ci and new
// (whose rules it manages: spec.accessRules is there; the desired rules
// are built by hand),
// with (unless bare) an Ownership of the accounts named ci-*.
func ruleSet(t *testing.T, bare bool) *manifest.Set {
	t.Helper()
	src := `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci}
spec: {accessRules: []}
---
apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: new}
spec: {accessRules: []}
`
	if !bare {
		src += `---
apiVersion: runai-sync/v1
kind: Ownership
metadata: {name: team-a}
spec:
  serviceAccounts: {names: ["ci-*"]}
  protect: [{kind: ServiceAccount, names: ["ci-prod"]}]
`
	}
	docs, diags := manifest.Parse("m.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, d := range docs {
		if err := d.Decode(); err != nil {
			t.Fatal(err)
		}
	}
	return manifest.NewSet(docs)
}

// rulesPlan: ci keeps a rule, gains one and has one it no longer lists;
// new is created with a rule; ci-old (undeclared, owned) is pruned with its
// rule; ci-prod (undeclared, protected) keeps its rule; other (undeclared,
// not owned) keeps its rule, untouched.
func rulesPlan(t *testing.T, bare bool, opts Options) *Plan {
	desired := []*Object{sa("ci"), sa("new"),
		rule("ci", "ML engineer", "project", "12"), rule("ci", "Viewer", "tenant", ""), rule("new", "L1 researcher", "department", "2")}
	live := []*Object{liveSA(sa("ci")), liveSA(sa("ci-old")), liveSA(sa("other")),
		live(rule("ci", "ML engineer", "project", "12"), "1"), live(rule("ci", "Viewer", "project", "13"), "2"),
		live(rule("ci-old", "Viewer", "project", "12"), "3"), live(rule("other", "Viewer", "project", "12"), "4")}
	p := Compute(desired, live, ruleSet(t, bare), opts)
	p.ScopeNames = map[string]string{"project 12": "team-a", "project 13": "team-b", "department 2": "research"}
	return p
}

func TestAccessRulesPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bare bool
		opts Options
		want []string
	}{
		{name: "prune: undeclared rules of declared and owned accounts go, the rules first", opts: Options{Prune: true, AllowMassDelete: true},
			want: []string{
				"delete ServiceAccount ci-old: access rule Viewer on project 12: not in the manifests; inside Ownership team-a",
				"delete ServiceAccount ci: access rule Viewer on project 13: not in spec.accessRules of ServiceAccount ci",
				"delete ServiceAccount ci-old: not in the manifests; inside Ownership team-a",
				"create ServiceAccount new",
				"create ServiceAccount new: access rule L1 researcher on department 2",
				"create ServiceAccount ci: access rule Viewer on the tenant",
			}},
		{name: "without prune they are unmanaged", opts: Options{},
			want: []string{
				"create ServiceAccount new",
				"create ServiceAccount new: access rule L1 researcher on department 2",
				"create ServiceAccount ci: access rule Viewer on the tenant",
				"unmanaged ServiceAccount ci-old: access rule Viewer on project 12",
				"unmanaged ServiceAccount ci: access rule Viewer on project 13",
				"unmanaged ServiceAccount ci-old",
			}},
		{name: "without an Ownership, prune deletes the undeclared rules of declared accounts only", bare: true, opts: Options{Prune: true},
			want: []string{
				"delete ServiceAccount ci: access rule Viewer on project 13: not in spec.accessRules of ServiceAccount ci",
				"create ServiceAccount new",
				"create ServiceAccount new: access rule L1 researcher on department 2",
				"create ServiceAccount ci: access rule Viewer on the tenant",
				"note: --prune deletes only the access rules of declared service accounts that their spec.accessRules leave out: the manifests hold no Ownership document saying what else they own",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rulesPlan(t, tt.bare, tt.opts)
			var got []string
			for _, w := range p.Steps() {
				for _, s := range w {
					got = append(got, s.Verb()+" "+s.Change.Key.String()+reasonOf(s.Change))
				}
			}
			for _, u := range p.Unmanaged {
				got = append(got, "unmanaged "+u.Key.String())
			}
			for _, n := range p.Notes {
				if !strings.Contains(n, "inside owned scopes") {
					got = append(got, "note: "+n)
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("steps (-want +got):\n%s", d)
			}
		})
	}
}

func reasonOf(c *Change) string {
	if c.Action == Delete {
		return ": " + c.Reason
	}
	return ""
}

// TestAccessRulesGuarded: the rules of a protected, undeclared account are
// protected with it; the mass-delete guard weighs rules apart from the
// other objects.
func TestAccessRulesGuarded(t *testing.T) {
	t.Parallel()
	live := []*Object{liveSA(sa("ci")), liveSA(sa("ci-prod")), live(rule("ci-prod", "Viewer", "project", "12"), "5"),
		live(rule("ci", "Viewer", "project", "12"), "6")}
	p := Compute([]*Object{sa("ci")}, live, ruleSet(t, false), Options{Prune: true})
	var got []string
	for _, r := range p.Refusals {
		got = append(got, r.Guard+": "+r.Message)
	}
	want := []string{
		"protected: will not delete ServiceAccount ci-prod: protected by a protect rule",
		"protected: will not delete ServiceAccount ci-prod: access rule Viewer on project 12: protected by a protect rule",
		"mass-delete: will not delete every owned object (1): a mistake in the manifests or the Ownership selectors looks like this",
		"mass-delete: will not delete every owned access rule (2): a mistake in the manifests or the Ownership selectors looks like this",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("refusals (-want +got):\n%s", d)
	}
}

func TestAccessRulesRender(t *testing.T) {
	t.Parallel()
	p := rulesPlan(t, false, Options{Prune: true, AllowMassDelete: true})
	dir := filepath.Join("..", "testdata", "render")
	txt := render(t, &Text{}, p)
	golden.Check(t, filepath.Join(dir, "rules.txt.golden"), txt)
	golden.Check(t, filepath.Join(dir, "rules.json.golden"), render(t, JSON{}, p))
	golden.Check(t, filepath.Join(dir, "rules.md.golden"), render(t, &Markdown{}, p))
	for _, want := range []string{
		"  + new\n      + spec.enabled = true\n      + access rule L1 researcher on department research (2)\n",
		"    ci\n      - access rule Viewer on project team-b (13)  (id 2)\n          reason: not in spec.accessRules of ServiceAccount ci\n      + access rule Viewer on the tenant\n",
	} {
		if !bytes.Contains(txt, []byte(want)) {
			t.Errorf("the text plan lacks\n%s", want)
		}
	}
	first := documentedJSON(t, p)["changes"].([]any)[0].(map[string]any)
	if first["kind"] != "AccessRule" || first["role"] != "Viewer" || first["name"] != "ci-old" || first["project"] != "team-a" || first["type"] != nil {
		t.Errorf("first change %v, want ci-old's Viewer rule on team-a", first)
	}
}
