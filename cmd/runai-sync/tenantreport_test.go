package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// creates is a plan creating n password credentials in project 12.
func creates(n int, prefix string) *diff.Plan {
	p := &diff.Plan{}
	for i := range n {
		k := manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "12", Name: fmt.Sprintf("%s-%04d", prefix, i)}
		p.Changes = append(p.Changes, &diff.Change{Action: diff.Create, Key: k, Provider: "runai",
			Fields: []diff.FieldChange{{Path: "spec.user", After: `"bot"`}}})
	}
	return p
}

func result(name string, plan *diff.Plan, err error) *tenantResult {
	return &tenantResult{name: name, url: "https://" + name + ".run.ai", plan: plan, err: err, code: exitCode(err)}
}

func TestTenantsMarkdown(t *testing.T) {
	results := []*tenantResult{
		result("acme", creates(foldAfter+1, "c"), nil),
		result("beta", nil, errors.New("reading live state from runai: connection refused")),
		result("gamma", creates(2, "c"), nil),
	}
	var b strings.Builder
	if err := tenantsMarkdown(&b, results, "runai-sync plan", ""); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"## runai-sync plan: 3 tenants\n\n| Tenant | Create | Update | Replace | Delete | Unchanged | Unhealthy | Status |\n",
		"| `acme` | 16 | 0 | 0 | 0 | 0 | 0 | 16 changes |\n| `beta` | | | | | | | failed |\n| `gamma` | 2 | 0 | 0 | 0 | 0 | 0 | 2 changes |\n",
		"<details><summary><b>tenant acme (https://acme.run.ai)</b>: 16 changes</summary>\n\n### tenant acme (https://acme.run.ai)\n",
		"### tenant beta (https://beta.run.ai)\n\n**Failed:**\n\n```\nreading live state from runai: connection refused\n```\n",
		"### tenant gamma (https://gamma.run.ai)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<summary><b>tenant gamma") {
		t.Errorf("a short plan is folded:\n%s", out)
	}
}

func TestTenantsMarkdownFitsAComment(t *testing.T) {
	results := []*tenantResult{result("small", creates(1, "c"), nil)}
	for _, name := range []string{"huge-1", "huge-2", "huge-3"} {
		results = append(results, result(name, creates(400, strings.Repeat("long-name-", 5)), nil))
	}
	var b strings.Builder
	if err := tenantsMarkdown(&b, results, "runai-sync plan", ""); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > 65_536 {
		t.Errorf("the comment is %d characters; GitHub takes at most 65,536", len(out))
	}
	for _, name := range []string{"small", "huge-1", "huge-2", "huge-3"} {
		if !strings.Contains(out, "| `"+name+"` |") || !strings.Contains(out, "### tenant "+name+" (") {
			t.Errorf("tenant %s lacks its row or section", name)
		}
	}
	if !strings.Contains(out, "### tenant huge-3 (https://huge-3.run.ai)\n\nToo long for this comment") {
		t.Errorf("a plan past the budget is not cut short:\n%.3000s", out)
	}
}

func TestTenantsJSON(t *testing.T) {
	ok := result("acme", creates(1, "c"), nil)
	ok.stdout.WriteString(`{"formatVersion":"1","changes":[],"summary":{"create":1}}` + "\n")
	refused := result("beta", creates(1, "c"), &ExitError{Code: 1, Err: errors.New("the plan is refused by 1 guard (see above)")})
	refused.stdout.WriteString(`{"formatVersion":"1","refusals":[]}`)
	down := result("gamma", nil, errors.New("connection refused"))
	var b strings.Builder
	if err := tenantsJSON(&b, []*tenantResult{ok, refused, down}, "plan"); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	want := map[string]any{"formatVersion": "1", "tenants": []any{
		map[string]any{"name": "acme", "url": "https://acme.run.ai", "plan": map[string]any{"formatVersion": "1", "changes": []any{}, "summary": map[string]any{"create": float64(1)}}},
		map[string]any{"name": "beta", "url": "https://beta.run.ai", "plan": map[string]any{"formatVersion": "1", "refusals": []any{}}, "error": "the plan is refused by 1 guard (see above)"},
		map[string]any{"name": "gamma", "url": "https://gamma.run.ai", "error": "connection refused"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
}

func TestTenantsExit(t *testing.T) {
	two := &ExitError{Code: 2, Err: errors.New("drift: 1 object differs from the manifests")}
	for _, tc := range []struct {
		name  string
		errs  []error
		exit2 string
		code  int
		msg   string
	}{
		{"all fine", []error{nil, nil}, "drift", 0, ""},
		{"two over zero", []error{nil, two}, "drift", 2, "drift in 1 of 2 tenants: b"},
		{"silent two", []error{&ExitError{Code: 2}, nil}, "", 2, ""},
		{"one over two", []error{errors.New("boom"), two, nil}, "drift", 1, "1 of 3 tenants failed: a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var results []*tenantResult
			for i, err := range tc.errs {
				results = append(results, result(string(rune('a'+i)), nil, err))
			}
			err := tenantsExit(results, tc.exit2)
			if got := exitCode(err); got != tc.code {
				t.Fatalf("exit code %d, want %d (%v)", got, tc.code, err)
			}
			var ee *ExitError
			if errors.As(err, &ee) && ee.Err != nil {
				if ee.Err.Error() != tc.msg {
					t.Errorf("message %q, want %q", ee.Err.Error(), tc.msg)
				}
			} else if tc.msg != "" {
				t.Errorf("no message, want %q", tc.msg)
			}
		})
	}
}

// TestTenantsMarkdownWithoutPlans is a command that makes no plan (audit):
// each tenant's own Markdown under its heading, its status by exit code.
func TestTenantsMarkdownWithoutPlans(t *testing.T) {
	clean := result("acme", nil, nil)
	clean.stdout.WriteString("No findings.\n")
	found := result("beta", nil, &ExitError{Code: 2, Err: errors.New("audit: 1 finding at or above warning")})
	found.stdout.WriteString("| warning | access-key-age |\n")
	var b strings.Builder
	if err := tenantsMarkdown(&b, []*tenantResult{clean, found}, "runai-sync audit", "findings"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| `acme` | | | | | | | ok |\n| `beta` | | | | | | | findings |\n",
		"### tenant acme (https://acme.run.ai)\n\nNo findings.\n",
		"### tenant beta (https://beta.run.ai)\n\n| warning | access-key-age |\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, b.String())
		}
	}
}

// A drift whose only finding is health shows the unhealthy objects in the
// summary: the count in its own column, the status "drift".
func TestTenantsMarkdownCountsUnhealthy(t *testing.T) {
	k := manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "12", Name: "registry"}
	sick := &diff.Plan{Changes: []*diff.Change{{Action: diff.NoOp, Key: k, Provider: "runai",
		Live: &diff.Object{Key: k, ID: "1", Unhealthy: true, Status: "Issues found", StatusMessage: "not replicated"}}}}
	res := result("acme", sick, &ExitError{Code: 2})
	var b strings.Builder
	if err := tenantsMarkdown(&b, []*tenantResult{res, result("beta", creates(1, "c"), nil)}, "runai-sync drift", "drift"); err != nil {
		t.Fatal(err)
	}
	want := "| `acme` | 0 | 0 | 0 | 0 | 1 | 1 | drift |\n| `beta` | 1 | 0 | 0 | 0 | 0 | 0 | 1 change |\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("the summary lacks %q:\n%s", want, b.String())
	}
}
