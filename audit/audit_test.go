package audit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	day       = 24 * time.Hour
	maxKeyAge = 90 * day
	unusedFor = 30 * day
)

func ago(d time.Duration) *time.Time {
	t := now.Add(-d)
	return &t
}

func run(live []*diff.Object) []Finding {
	return Run(Input{Live: live, Now: now, MaxKeyAge: maxKeyAge, UnusedFor: unusedFor, Providers: []string{"runai"}})
}

// checks lists "check severity name" of each finding.
func checks(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Check+" "+f.Severity.String()+" "+f.Key.Name)
	}
	return out
}

func key(name string, created, login *time.Time) *diff.Object {
	return &diff.Object{Key: manifest.Key{Kind: manifest.KindAccessKey, Scope: "user", ScopeID: "alice@example.com", Name: name},
		Provider: "runai", ID: "id-" + name, CreatedAt: created, LastLogin: login}
}

func account(name string, enabled bool, created, login *time.Time) *diff.Object {
	en := "true"
	if !enabled {
		en = "false"
	}
	return &diff.Object{Key: manifest.Key{Kind: manifest.KindServiceAccount, Name: name}, Provider: "runai", ID: "id-" + name,
		Attrs: map[string]string{"spec.enabled": en}, CreatedAt: created, LastLogin: login}
}

func credential(name, status string, usedBy ...string) *diff.Object {
	return &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "12", Name: name},
		Provider: "runai", ID: "id-" + name, Status: status, UsedBy: usedBy,
		Unhealthy: status == "Failed" || status == "Issues found" || status == "Deletion failed"}
}

// TestThresholdBoundaries checks each live check just inside, at and just
// beyond its threshold.
func TestThresholdBoundaries(t *testing.T) {
	recent := ago(time.Hour)
	for _, tc := range []struct {
		name string
		obj  *diff.Object
		want []string
	}{
		{"key at max age", key("k", ago(maxKeyAge), recent), []string{}},
		{"key a second past max age", key("k", ago(maxKeyAge+time.Second), recent), []string{"access-key-age warning k"}},
		{"key a second before max age", key("k", ago(maxKeyAge-time.Second), recent), []string{}},
		{"key used exactly unused-for ago", key("k", ago(day*40), ago(unusedFor)), []string{}},
		{"key used a second before unused-for", key("k", ago(day*40), ago(unusedFor+time.Second)), []string{"access-key-unused warning k"}},
		{"key never used, made at unused-for", key("k", ago(unusedFor), nil), []string{}},
		{"key never used, made past unused-for", key("k", ago(unusedFor+time.Second), nil), []string{"access-key-unused warning k"}},
		{"key never used, made just now", key("k", ago(time.Minute), nil), []string{}},
		{"key old and unused", key("k", ago(maxKeyAge+day), ago(unusedFor+day)), []string{"access-key-age warning k", "access-key-unused warning k"}},
		{"key with no times", key("k", nil, nil), []string{"access-key-unused warning k"}},
		{"account used exactly unused-for ago", account("sa", true, ago(day*400), ago(unusedFor)), []string{}},
		{"account used past unused-for", account("sa", true, ago(day*400), ago(unusedFor+time.Second)), []string{"service-account-unused warning sa"}},
		{"account never used past unused-for", account("sa", true, ago(unusedFor+time.Second), nil), []string{"service-account-unused warning sa"}},
		{"account never used within unused-for", account("sa", true, ago(unusedFor-time.Second), nil), []string{}},
		{"account old but used (no age check)", account("sa", true, ago(day*1000), recent), []string{}},
		{"credential in use, synced", credential("c", "No issues found", "workspace w"), []string{}},
		{"credential unused", credential("c", "No issues found"), []string{"credential-unused info c"}},
		{"credential failed", credential("c", "Failed", "workspace w"), []string{"credential-sync critical c"}},
		{"credential deletion failed", credential("c", "Deletion failed", "workspace w"), []string{"credential-sync critical c"}},
		{"credential issues found", credential("c", "Issues found", "workspace w"), []string{"credential-sync warning c"}},
		{"credential creating", credential("c", "Creating", "workspace w"), []string{}},
		{"credential being deleted is not unused", credential("c", "Deleting"), []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, checks(run([]*diff.Object{tc.obj}))); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessagesNameTheThreshold(t *testing.T) {
	fs := run([]*diff.Object{key("k", ago(maxKeyAge+2*time.Hour), nil)})
	got := []string{fs[0].Message, fs[1].Message}
	for _, want := range []string{"created 90 days 2h ago (2026-03-03T10:00:00Z), older than --max-key-age 90d", "never used, created 90 days 2h ago"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("messages %q lack %q", got, want)
		}
	}
}

// loadSet writes manifests to a temporary directory and loads them.
func loadSet(t *testing.T, files map[string]string) *manifest.Set {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	set, diags := schema.Load(dir)
	if diags.HasErrors() {
		t.Fatalf("manifests: %v", diags)
	}
	return set
}

const manifests = `apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: ci-bot}
---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: ci-login, scope: project, projectId: 12}
spec:
  type: genericSecret
  keyValuePairs:
    ID: {fromServiceAccount: {name: ci-bot, field: clientId}}
    SECRET: {fromServiceAccount: {name: ci-bot, field: clientSecret}}
---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: registry, scope: project, projectId: 12}
spec:
  type: password
  user: bot
  password: hunter2-literal
`

// TestManifestChecks covers the checks that need -f: a disabled account
// its credentials still take, a literal secret, a managed object missing
// from the live state, and a state record of an object that is gone.
func TestManifestChecks(t *testing.T) {
	set := loadSet(t, map[string]string{"m.yaml": manifests})
	login := &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "genericSecret", Scope: "project", ScopeID: "12", Name: "ci-login"},
		Provider: "runai", ID: "id-ci-login", Status: "No issues found", UsedBy: []string{"workspace w"}}
	bot := account("ci-bot", false, ago(day), ago(time.Hour))
	in := Input{
		Live: []*diff.Object{bot, login},
		Set:  set,
		Records: []Record{
			{Key: login.Key, Provider: "runai", ID: login.ID},
			{Key: manifest.Key{Kind: manifest.KindServiceAccount, Name: "gone"}, Provider: "runai", ID: "id-gone"},
			{Key: manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: "workspace", ScopeID: "1001", Name: "aws"}, Provider: "seqera", ID: "s1"},
		},
		Providers: []string{"runai"},
		Now:       now, MaxKeyAge: maxKeyAge, UnusedFor: unusedFor,
	}
	fs := Run(in)
	want := []string{
		"literal-secret critical registry",
		"managed-missing warning registry",
		"service-account-disabled-in-use warning ci-bot",
		"stale-state-record info gone",
	}
	if d := cmp.Diff(want, checks(fs)); d != "" {
		t.Fatalf("findings (-want +got):\n%s", d)
	}
	lit := fs[0]
	if lit.Pos.Line != 20 || lit.Path != "spec.password" || !strings.HasSuffix(lit.Pos.File, "m.yaml") {
		t.Errorf("literal secret at %v %s, want m.yaml:20 spec.password", lit.Pos, lit.Path)
	}
	if strings.Contains(lit.Message, "hunter2") {
		t.Errorf("message reveals the secret: %s", lit.Message)
	}
	if !strings.Contains(fs[2].Message, "Credential genericSecret ci-login (project 12)") {
		t.Errorf("disabled-in-use message does not name the credential: %s", fs[2].Message)
	}
	// Enabled, the account is fine; live, the registry is not missing.
	in.Live = []*diff.Object{account("ci-bot", true, ago(day), ago(time.Hour)), login, credential("registry", "No issues found", "training t")}
	if d := cmp.Diff([]string{"literal-secret critical registry", "stale-state-record info gone"}, checks(Run(in))); d != "" {
		t.Errorf("after fixing (-want +got):\n%s", d)
	}
}

func TestLiveOnlySkipsManifestChecks(t *testing.T) {
	fs := Run(Input{Live: []*diff.Object{account("ci-bot", false, ago(day), ago(time.Hour))}, Now: now, MaxKeyAge: maxKeyAge, UnusedFor: unusedFor,
		Records: []Record{{Key: manifest.Key{Kind: manifest.KindServiceAccount, Name: "gone"}, Provider: "runai", ID: "x"}}, Providers: []string{"runai"}})
	if len(fs) != 0 {
		t.Errorf("live-only audit of a recently used account: %v", checks(fs))
	}
}

func TestReaches(t *testing.T) {
	fs := []Finding{{Severity: Info}, {Severity: Warning}}
	for _, tc := range []struct {
		min  Severity
		want bool
	}{{Info, true}, {Warning, true}, {Critical, false}} {
		if got := Reaches(fs, tc.min); got != tc.want {
			t.Errorf("Reaches(info+warning, %s) = %v, want %v", tc.min, got, tc.want)
		}
	}
	if Reaches(nil, Info) {
		t.Error("no findings reach info")
	}
}
