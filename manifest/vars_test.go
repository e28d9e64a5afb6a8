package manifest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
)

func TestExpand(t *testing.T) {
	v := &manifest.Vars{Tenant: "acme-prod", Values: map[string]string{"registry": "registry.acme.example", "n": "7"}}
	for _, tc := range []struct {
		name, in, want, err string
	}{
		{name: "none", in: "plain $HOME and $ alone", want: "plain $HOME and $ alone"},
		{name: "tenant", in: "${tenant}-s3", want: "acme-prod-s3"},
		{name: "var twice", in: "${vars.registry}/${vars.registry}", want: "registry.acme.example/registry.acme.example"},
		{name: "escape", in: "$${tenant} is ${tenant}", want: "${tenant} is acme-prod"},
		{name: "escape at end", in: "a$${", want: "a${"},
		{name: "unknown var", in: "x ${vars.regsitry}", err: `unknown variable ${vars.regsitry}: tenant "acme-prod" has vars ${vars.n}, ${vars.registry}; add regsitry to its vars (or to defaults.vars)`},
		{name: "unknown name", in: "${env.HOME}", err: "unknown variable ${env.HOME}: use ${tenant} or ${vars.NAME}"},
		{name: "unclosed", in: "abc ${tenant", err: "${ is not closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Expand(tc.in)
			switch {
			case tc.err != "":
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("Expand(%q) = %q, %v; want error %q", tc.in, got, err, tc.err)
				}
			case err != nil:
				t.Fatalf("Expand(%q): %v", tc.in, err)
			case got != tc.want:
				t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

const varsManifest = `apiVersion: runai-sync/v1
kind: Credential
metadata:
  name: ${tenant}-registry
  description: "pulls from ${vars.registry}"
  scope: project
  projectId: ${vars.project}
spec:
  type: dockerRegistry
  url: '${vars.project}'
  user: $${tenant}
  password: {fromEnv: "${vars.envPrefix}_REGISTRY_PASSWORD"}
  keys:
    ${tenant}: kept
`

func TestLoaderSubstitutesStringValues(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "m.yaml", varsManifest)
	l := manifest.Loader{Vars: &manifest.Vars{Tenant: "acme", Values: map[string]string{"registry": "r.acme", "project": "12", "envPrefix": "ACME"}}}
	docs, diags := l.Read(f)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	got, _ := json.Marshal(docs[0].Value)
	want := `{"apiVersion":"runai-sync/v1","kind":"Credential","metadata":{"description":"pulls from r.acme","name":"acme-registry","projectId":12,"scope":"project"},"spec":{"keys":{"${tenant}":"kept"},"password":{"fromEnv":"ACME_REGISTRY_PASSWORD"},"type":"dockerRegistry","url":"12","user":"${tenant}"}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("value (-want +got):\n%s", diff)
	}
	if docs[0].Name != "acme-registry" {
		t.Errorf("Name = %q, want the substituted name", docs[0].Name)
	}
	// Positions are the file's: the name field is where it was written.
	if p := docs[0].Pos(manifest.FieldPath{"metadata", "projectId"}); p.Line != 7 || p.Column != 14 {
		t.Errorf("position of projectId = %v, want line 7 column 14", p)
	}

	// Without Vars nothing is substituted.
	docs, _ = manifest.Read(f)
	if docs[0].Name != "${tenant}-registry" {
		t.Errorf("without vars the name is %q, want it as written", docs[0].Name)
	}
}

func TestLoaderUnknownVariableAtItsPlace(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "m.yaml", varsManifest)
	l := manifest.Loader{Vars: &manifest.Vars{Tenant: "acme", Values: map[string]string{"registry": "r.acme", "project": "12"}}}
	_, diags := l.Read(f)
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags)
	}
	// password: {fromEnv: "${vars.envPrefix}_..."}: the quote is at column
	// 23, the variable one further.
	want := f + `:12:24: spec.password.fromEnv: unknown variable ${vars.envPrefix}: tenant "acme" has vars ${vars.project}, ${vars.registry}; add envPrefix to its vars (or to defaults.vars)`
	if got := diags[0].String(); got != want {
		t.Errorf("diagnostic:\n got %s\nwant %s", got, want)
	}
}
