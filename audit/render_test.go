package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// sampleReport has a finding of every check.
func sampleReport(t *testing.T) Report {
	set := loadSet(t, map[string]string{"m.yaml": manifests})
	fs := Run(Input{
		Live: []*diff.Object{
			key("old", ago(maxKeyAge+day), nil),
			account("ci-bot", false, ago(day*100), ago(day*50)),
			credential("unused", "Issues found"),
			{Key: manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: "workspace", ScopeID: "1001", Name: "aws"}, Provider: "seqera", ID: "s1"},
		},
		Set:       set,
		Records:   []Record{{Key: manifest.Key{Kind: manifest.KindServiceAccount, Name: "gone"}, Provider: "runai", ID: "x"}},
		Providers: []string{"runai", "seqera"},
		Now:       now, MaxKeyAge: maxKeyAge, UnusedFor: unusedFor,
	})
	return Report{Findings: fs, MaxKeyAge: maxKeyAge, UnusedFor: unusedFor}
}

func render(t *testing.T, v View, r Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := v.Render(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestJSONMatchesPublishedSchema validates the JSON report, with a finding
// of every check and with none, against audit-output.schema.json.
func TestJSONMatchesPublishedSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	sch, err := c.Compile("audit-output.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	full := sampleReport(t)
	seen := map[string]bool{}
	for _, f := range full.Findings {
		seen[f.Check] = true
	}
	for _, check := range []string{CheckAccessKeyAge, CheckAccessKeyUnused, CheckServiceAccountUnused, CheckServiceAccountDisabledInUse,
		CheckCredentialUnused, CheckCredentialSync, CheckLiteralSecret, CheckManagedMissing, CheckStaleStateRecord} {
		if !seen[check] {
			t.Errorf("the sample has no %s finding", check)
		}
	}
	for _, r := range []Report{full, {MaxKeyAge: maxKeyAge, UnusedFor: 36 * time.Hour}} {
		out := render(t, JSON{}, r)
		var v any
		d := json.NewDecoder(strings.NewReader(out))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("JSON report does not match audit-output.schema.json: %v\n%s", err, out)
		}
	}
	// The schema is not a formality: an unknown check fails it.
	bad := map[string]any{"formatVersion": "1", "summary": map[string]any{"info": 0, "warning": 0, "critical": 0},
		"thresholds": map[string]any{"maxKeyAge": "90d", "unusedFor": "30d"},
		"findings":   []any{map[string]any{"check": "nope", "severity": "info", "kind": "Credential", "name": "x", "message": "m"}}}
	if sch.Validate(bad) == nil {
		t.Error("the schema accepts an unknown check")
	}
}

func TestJSONFields(t *testing.T) {
	var got struct {
		Findings []map[string]any `json:"findings"`
		Summary  Counts           `json:"summary"`
	}
	if err := json.Unmarshal([]byte(render(t, JSON{}, sampleReport(t))), &got); err != nil {
		t.Fatal(err)
	}
	byCheck := map[string]map[string]any{}
	for _, f := range got.Findings {
		byCheck[f["check"].(string)] = f
	}
	if f := byCheck[CheckAccessKeyAge]; f["createdBy"] != "alice@example.com" || f["scope"] != "user" || f["id"] != "id-old" {
		t.Errorf("access key finding: %v", f)
	}
	if f := byCheck[CheckCredentialSync]; f["projectId"] != 12.0 || f["type"] != "password" || f["severity"] != "warning" {
		t.Errorf("sync finding: %v", f)
	}
	if f := byCheck[CheckLiteralSecret]; f["line"] != 20.0 || f["path"] != "spec.password" {
		t.Errorf("literal finding: %v", f)
	}
	if got.Summary != (Counts{Info: 2, Warning: 7, Critical: 1}) {
		t.Errorf("summary %+v", got.Summary)
	}
}

func TestTextAndMarkdown(t *testing.T) {
	r := sampleReport(t)
	text := render(t, Text{}, r)
	for _, want := range []string{
		"critical  literal-secret",
		"m.yaml:20:13: Credential password registry (project 12): spec.password is a plaintext secret",
		"warning   access-key-age",
		"AccessKey old (user alice@example.com) (id id-old)",
		"Audit: 10 findings: 1 critical, 7 warning, 2 info.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	md := render(t, Markdown{}, r)
	if !strings.Contains(md, "| critical | `literal-secret` | Credential password registry (project 12) at ") || !strings.Contains(md, "(max key age 90d, unused for 30d)") {
		t.Errorf("markdown:\n%s", md)
	}
	for _, out := range []string{text, md, render(t, JSON{}, r)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("output reveals a literal secret:\n%s", out)
		}
	}
	if got := render(t, Text{}, Report{}); got != "Audit: no findings.\n" {
		t.Errorf("empty text report %q", got)
	}
}

// TestMarkdownCellsHoldNoHTML: a live name or message with HTML (a comment
// opener would hide the findings after it once GitHub renders the table)
// is shown as text.
func TestMarkdownCellsHoldNoHTML(t *testing.T) {
	r := Report{MaxKeyAge: 90 * 24 * time.Hour, UnusedFor: 30 * 24 * time.Hour, Findings: []Finding{
		{Check: CheckAccessKeyAge, Severity: Warning, Key: manifest.Key{Kind: manifest.KindAccessKey, Name: "k<!--", Scope: "user", ScopeID: "eve"}, Message: "old <img src=x>"},
		{Check: CheckAccessKeyAge, Severity: Critical, Key: manifest.Key{Kind: manifest.KindAccessKey, Name: "later"}, Message: "-->hidden|cell"},
	}}
	md := render(t, Markdown{}, r)
	for _, bad := range []string{"<!--", "-->", "<img", "hidden|cell"} {
		if strings.Contains(md, bad) {
			t.Errorf("markdown holds %q:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, "k&lt;!--") || !strings.Contains(md, "old &lt;img src=x&gt;") || !strings.Contains(md, `--&gt;hidden\|cell`) {
		t.Errorf("markdown does not show the text escaped:\n%s", md)
	}
}
