package tenants_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/tenants"
)

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "runai-sync.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const good = `apiVersion: runai-sync/v1
kind: Tenants
defaults:
  manifests: [base/, "tenants/${tenant}/"]
  vars: {registry: registry.example, project: 12}
tenants:
  - name: acme-prod
    url: https://acme.run.ai/
    clientId: {fromEnv: ACME_ID}
    clientSecret: {fromEnv: ACME_SECRET}
    seqera: {endpoint: https://api.tower.nf/api, token: {fromEnv: ACME_TOWER}, workspaceId: 1001}
    vars: {registry: registry.acme.example}
  - name: acme-dev
    url: https://acme-dev.run.ai
    token: {fromFile: dev.token}
    manifests: [base/]
    state: none
`

func TestLoad(t *testing.T) {
	path := write(t, good)
	dir := filepath.Dir(path)
	f, diags := tenants.Load(path)
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags)
	}
	if diff := cmp.Diff([]string{"acme-prod", "acme-dev"}, f.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	prod, dev := f.Tenants[0], f.Tenants[1]
	type view struct {
		URL       string
		Manifests []string
		Vars      map[string]string
		State     string
		Seqera    string
		Login     string
	}
	got := []view{
		{prod.URL, prod.Manifests, prod.Vars, prod.State, prod.Seqera.Endpoint, prod.ClientSecret.Ref.Source()},
		{dev.URL, dev.Manifests, dev.Vars, dev.State, "", dev.Token.Ref.Source()},
	}
	want := []view{
		{"https://acme.run.ai", []string{filepath.Join(dir, "base"), filepath.Join(dir, "tenants/acme-prod")},
			map[string]string{"registry": "registry.acme.example", "project": "12"},
			filepath.Join(dir, ".runai-sync/acme-prod/state.json"), "https://api.tower.nf/api", "env ACME_SECRET"},
		{"https://acme-dev.run.ai", []string{filepath.Join(dir, "base")},
			map[string]string{"registry": "registry.example", "project": "12"}, "none", "", "file dev.token"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}
	if prod.Seqera.WorkspaceID != 1001 {
		t.Errorf("workspace %d, want 1001", prod.Seqera.WorkspaceID)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"unknown field", strings.Replace(good, "    vars: {registry", "    varz: {registry", 1),
			[]string{`:12:5: tenants[0].varz: unknown field "varz"; did you mean "vars"?`}},
		{"bad name and url", strings.Replace(strings.Replace(good, "name: acme-dev", "name: Acme Dev", 1), "https://acme-dev.run.ai", "acme-dev.run.ai", 1),
			[]string{`:13:11: tenants[1].name: "Acme Dev": must be lowercase letters, digits, '-' and '_', starting with a letter`,
				`:14:10: tenants[1].url: "acme-dev.run.ai": must be an http or https URL such as https://acme.run.ai`}},
		{"duplicate", strings.Replace(good, "name: acme-dev", "name: acme-prod", 1),
			[]string{`:13:11: tenants[1].name: tenant "acme-prod" is listed twice (first at line 7); give each tenant one entry`}},
		{"no login", strings.Replace(good, "    token: {fromFile: dev.token}\n", "", 1),
			[]string{`:13:5: tenants[1]: tenant "acme-dev" has no login: add clientId and clientSecret (or token), e.g. clientSecret: {fromEnv: ACME_DEV_RUNAI_CLIENT_SECRET}`}},
		{"half a login", strings.Replace(good, "    clientId: {fromEnv: ACME_ID}\n", "", 1),
			[]string{`:7:5: tenants[0]: clientId and clientSecret go together: add clientId`}},
		{"output as login", strings.Replace(good, "{fromFile: dev.token}", "{fromServiceAccount: {name: ci, field: clientSecret}}", 1),
			[]string{`:15:12: tenants[1].token: a connection secret cannot come from a ServiceAccount of the manifests; use fromEnv, fromFile or another source`}},
		{"unknown variable in a path", strings.Replace(good, "tenants/${tenant}/", "tenants/${vars.team}/", 1),
			[]string{`:4:22: defaults.manifests[1]: unknown variable ${vars.team}: tenant "acme-prod" has vars ${vars.project}, ${vars.registry}; add team to its vars (or to defaults.vars)`}},
		{"shared state", strings.Replace(good, "state: none", "state: .runai-sync/acme-prod/state.json", 1),
			[]string{`:13:5: tenants[1]: tenants "acme-prod" and "acme-dev" would share the state file`}},
		{"two documents", good + "---\nkind: Credential\n", []string{`:19:1: a tenants file holds one document`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.file)
			_, diags := tenants.Load(path)
			if len(diags) != len(tc.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%v", len(diags), len(tc.want), diags)
			}
			for i, d := range diags {
				if got := strings.TrimPrefix(d.String(), path); !strings.HasPrefix(got, tc.want[i]) {
					t.Errorf("diagnostic %d:\n got %s\nwant %s...", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestLiteralSecretWarns(t *testing.T) {
	path := write(t, strings.Replace(good, "token: {fromFile: dev.token}", "token: literal-dev-token", 1))
	f, diags := tenants.Load(path)
	if f == nil || diags.HasErrors() || len(diags) != 1 {
		t.Fatalf("want the file with one warning, got %v", diags)
	}
	if got, want := strings.TrimPrefix(diags[0].String(), path), ":15:12: tenants[1].token: warning: plaintext secret in git; use fromEnv or fromFile"; got != want {
		t.Errorf("warning:\n got %s\nwant %s", got, want)
	}
	if strings.Contains(diags.Error(), "literal-dev-token") {
		t.Error("the warning shows the secret")
	}
}

func TestSelect(t *testing.T) {
	f, diags := tenants.Load(write(t, strings.Replace(good, "name: acme-dev", "name: beta-dev", 1)))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	names := func(ts []*tenants.Tenant) (out []string) {
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		patterns []string
		all      bool
		want     []string
		err      string
	}{
		{name: "all", all: true, want: []string{"acme-prod", "beta-dev"}},
		{name: "glob", patterns: []string{"*-dev"}, want: []string{"beta-dev"}},
		{name: "file order, once", patterns: []string{"beta-dev", "acme-*", "*"}, want: []string{"acme-prod", "beta-dev"}},
		{name: "none", err: "lists 2 tenants: choose with --tenant NAME (repeatable; globs such as 'prod-*') or --all-tenants: acme-prod, beta-dev"},
		{name: "no match", patterns: []string{"acme-prod", "gamma"}, err: `--tenant "gamma" matches no tenant of`},
		{name: "bad glob", patterns: []string{"[a"}, err: `--tenant "[a" is not a valid glob`},
		{name: "both", patterns: []string{"x"}, all: true, err: "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.Select(tc.patterns, tc.all)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Select: %v, want an error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, names(got)); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	path := write(t, good)
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "dev.token"), []byte("dev-token-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, diags := tenants.Load(path)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	r := manifest.Resolver{LookupEnv: func(k string) (string, bool) { return map[string]string{"ACME_ID": "id-1"}[k], k == "ACME_ID" },
		Roots: []string{filepath.Dir(path)}} // secret files lie beside the tenants file
	prod, dev := f.Tenants[0], f.Tenants[1]
	if v, err := prod.Resolve(r, prod.ClientID); err != nil || v.Reveal() != "id-1" {
		t.Errorf("clientId: %v", err)
	}
	// fromFile is relative to the tenants file.
	if v, err := dev.Resolve(r, dev.Token); err != nil || v.Reveal() != "dev-token-value" {
		t.Errorf("token: %v", err)
	}
	_, err := prod.Resolve(r, prod.ClientSecret)
	if want := path + ":10:29: tenants[0].clientSecret.fromEnv: environment variable ACME_SECRET is not set"; err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if p, err := tenants.Find("", getenv); p != "" || err != nil {
		t.Errorf("no file: %q, %v", p, err)
	}
	if err := os.WriteFile(tenants.DefaultFile, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, _ := tenants.Find("", getenv); p != tenants.DefaultFile {
		t.Errorf("found %q, want the default file", p)
	}
	env[tenants.EnvConfig] = "other.yaml"
	if _, err := tenants.Find("", getenv); err == nil || !strings.Contains(err.Error(), "other.yaml") {
		t.Errorf("a named file that does not exist: %v", err)
	}
	if p, _ := tenants.Find(tenants.DefaultFile, getenv); p != tenants.DefaultFile {
		t.Errorf("--config wins over the variable: %q", p)
	}
}
