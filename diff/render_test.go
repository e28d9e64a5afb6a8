package diff

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/runai-sync/runai-sync/internal/golden"
	"github.com/runai-sync/runai-sync/manifest"
)

// samplePlan has every action, a refusal, notes, secrets, values known
// after apply and an unhealthy live object.
func samplePlan() *Plan {
	acct := sa("ci-pipeline")
	login := needs(cred("ci-runai-login"), "spec.keyValuePairs.RUNAI_CLIENT_SECRET", "clientSecret", acct.Key)
	login.Key.Type = "genericSecret"
	login.Attrs["spec.keyValuePairs"] = `["RUNAI_CLIENT_ID","RUNAI_CLIENT_SECRET"]`
	s3 := withSecret(cred("team-a-s3", "metadata.description", `"Read-only | team-a"`, "spec.accessKeyId", `"AKIAEXAMPLE"`), "spec.secretAccessKey", "fp-1")
	s3.Key.Type = "accessKey"
	dept := cred("nvcr", "metadata.description", `"new"`, "spec.url", `"https://nvcr.io"`)
	dept.Key = manifest.Key{Kind: manifest.KindCredential, Type: "dockerRegistry", Scope: "department", ScopeID: "2", Name: "nvcr"}
	deptLive := live(cred("nvcr", "metadata.description", `"old"`, "spec.url", `"https://nvcr.io"`), "7c0d")
	deptLive.Key = dept.Key
	deptLive.Status, deptLive.Unhealthy, deptLive.StatusMessage = "Issues found", true, "not replicated to cluster gpu-1"
	user := withSecret(cred("registry", "spec.user", `"bob"`), "spec.password", "fp-new")
	userLive := withSecret(live(cred("registry", "spec.user", `"alice"`), "91aa"), "spec.password", "fp-old")
	userLive.UsedBy = []string{"workspace notebook-1"}
	stale := live(cred("stale-key"), "5e5e")
	stale.Key.Type = "ngcApiKey"
	tenant := cred("shared")
	tenant.Key = manifest.Key{Kind: manifest.KindCredential, Type: "ngcApiKey", Scope: "tenant", Name: "shared"}
	tenant.Secrets = map[string]SecretAttr{"spec.ngc_api_key": {Source: "env NGC"}}
	tenantLive := live(tenant, "aa11")
	p := Compute(
		[]*Object{acct, login, s3, dept, user, tenant},
		[]*Object{deptLive, userLive, stale, tenantLive, live(cred("x1"), "1"), live(cred("x2"), "2"), live(cred("x3"), "3"), live(cred("x4"), "4")},
		owns{}, Options{Prune: true})
	// The department was resolved, the project not: one group shows the
	// name beside the id, the other the id alone.
	p.ScopeNames = map[string]string{"department 2": "research"}
	return p
}

func render(t *testing.T, v View, p *Plan) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := v.Render(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRenderGolden(t *testing.T) {
	p := samplePlan()
	dir := filepath.Join("..", "testdata", "render")
	golden.Check(t, filepath.Join(dir, "plan.txt.golden"), render(t, &Text{}, p))
	golden.Check(t, filepath.Join(dir, "plan.json.golden"), render(t, JSON{}, p))
	golden.Check(t, filepath.Join(dir, "plan.md.golden"), render(t, &Markdown{}, p))
	empty := Compute([]*Object{cred("a")}, []*Object{live(cred("a"), "1")}, owns{}, Options{})
	golden.Check(t, filepath.Join(dir, "empty.txt.golden"), render(t, &Text{}, empty))
	golden.Check(t, filepath.Join(dir, "empty.json.golden"), render(t, JSON{}, empty))
}

func TestTextEndsWithSummary(t *testing.T) {
	out := strings.TrimSpace(string(render(t, &Text{}, samplePlan())))
	lines := strings.Split(out, "\n")
	if got, want := lines[len(lines)-1], "Plan: 3 to create, 1 to update, 1 to replace, 5 to delete."; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

func TestColourOnlyWhenAsked(t *testing.T) {
	p := samplePlan()
	if plain := render(t, &Text{}, p); bytes.Contains(plain, []byte("\x1b[")) {
		t.Error("colour escapes without Color")
	}
	if coloured := render(t, &Text{Color: true}, p); !bytes.Contains(coloured, []byte("\x1b[")) {
		t.Error("no colour escapes with Color")
	}
}

// TestJSONMatchesDocumentedSchema validates the JSON output against the
// schema the README documents.
func TestJSONMatchesDocumentedSchema(t *testing.T) {
	for _, p := range []*Plan{samplePlan(), {}} {
		v := documentedJSON(t, p)
		if h, _ := v["health"].([]any); len(h) != len(p.Health()) {
			t.Errorf("JSON plan has %d health entries, want %d", len(h), len(p.Health()))
		}
	}
}

// documentedJSON renders p as JSON, checks it against the schema the README
// documents (plan-output.schema.json), and returns it decoded.
func documentedJSON(t *testing.T, p *Plan) map[string]any {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	sch, err := c.Compile("plan-output.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(render(t, JSON{}, p)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("JSON plan does not match plan-output.schema.json: %#v", err)
	}
	return v.(map[string]any)
}

// Names come from the live state, which anyone who can create an object
// there writes: in a pull-request comment, a pruned object's name adds no
// link, image or HTML, and cannot end its code span.
func TestMarkdownNamesAreInert(t *testing.T) {
	hostile := "x` [pwn](https://evil.example) ![i](https://evil.example/i) <!-- |"
	p := Compute(nil, []*Object{live(cred(hostile), "1"), live(cred("keep"), "2")}, owns{}, Options{Prune: true, AllowMassDelete: true})
	p.Notes = append(p.Notes, "a note naming "+hostile)
	md := string(render(t, &Markdown{Title: "tenant <b>x</b>"}, p))
	// The full plan after <details> is a fenced code block, and the name
	// in the table one code span: literal text both.
	md, _, _ = strings.Cut(md, "<details><summary>Full plan</summary>")
	span := "``x` [pwn](https://evil.example) ![i](https://evil.example/i) <!-- \\|``"
	if !strings.Contains(md, "| Credential password "+span+" |") {
		t.Fatalf("the name is not one code span:\n%s", md)
	}
	md = strings.ReplaceAll(md, span, "NAME")
	for _, raw := range []string{"[pwn](", "![i](", "<!--", "<b>"} {
		if strings.Contains(md, raw) {
			t.Errorf("the comment holds %q:\n%s", raw, md)
		}
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| 🔴") && strings.Count(line, "|")-strings.Count(line, `\|`) != 6 {
			t.Errorf("a row has more than its five cells: %s", line)
		}
	}
}
