package seqera

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// roundTripCase is the spec of one provider's credential and the secret
// keys the platform must store.
type roundTripCase struct {
	spec   string
	stored map[string]string
}

// roundTripSpecs covers every provider with every key form: literal,
// fromEnv, fromFile, non-secret keys from the environment, optional keys,
// category and baseUrl.
var roundTripSpecs = map[string]roundTripCase{
	"aws": {`{provider: aws, category: cloud, keys: {accessKey: AKIASEQ, secretKey: {fromEnv: AWS_SECRET}, assumeRoleArn: "arn:aws:iam::123456789012:role/tower"}}`,
		map[string]string{"secretKey": "aws-secret-value"}},
	"azure": {`{provider: azure, keys: {batchName: batch1, storageName: store1, batchKey: {fromEnv: AZ_BATCH}, storageKey: literal-storage-key}}`,
		map[string]string{"batchKey": "az-batch-value", "storageKey": "literal-storage-key"}},
	"google": {`{provider: google, keys: {data: {fromFile: FILE}}}`,
		map[string]string{"data": `{"type": "service_account"}`}},
	"github": {`{provider: github, baseUrl: "https://github.example.com", keys: {username: octocat, password: {fromEnv: GH_TOKEN}}}`,
		map[string]string{"password": "ghp-token-value"}},
	"gitlab": {`{provider: gitlab, category: git, keys: {username: {fromEnv: GL_USER}, token: {fromEnv: GL_TOKEN}, password: gl-literal-password}}`,
		map[string]string{"token": "glpat-value", "password": "gl-literal-password"}},
	"bitbucket": {`{provider: bitbucket, keys: {username: bb, password: {fromEnv: BB_PASSWORD}}}`,
		map[string]string{"password": "bb-app-password"}},
	"gitea": {`{provider: gitea, baseUrl: "https://gitea.example.org", keys: {username: tea, password: {fromEnv: GITEA_PASSWORD}}}`,
		map[string]string{"password": "gitea-password-value"}},
	"codecommit": {`{provider: codecommit, baseUrl: "https://git-codecommit.eu-west-1.amazonaws.com", keys: {username: AKIACC, password: {fromEnv: CC_PASSWORD}}}`,
		map[string]string{"password": "cc-password-value"}},
	"ssh": {`{provider: ssh, keys: {privateKey: {fromFile: FILE}, passphrase: {fromEnv: SSH_PASSPHRASE}}}`,
		map[string]string{"privateKey": `{"type": "service_account"}`, "passphrase": "ssh-passphrase-value"}},
	"k8s": {`{provider: k8s, keys: {certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", token: {fromEnv: K8S_TOKEN}}}`,
		map[string]string{"token": "k8s-token-value"}},
	"container-reg": {`{provider: container-reg, keys: {userName: robot, registry: quay.io, password: {fromEnv: REG_PASSWORD}}}`,
		map[string]string{"password": "reg-password-value"}},
}

func roundTripVars(t *testing.T) map[string]string {
	file := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(file, []byte(`{"type": "service_account"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"AWS_SECRET": "aws-secret-value", "AZ_BATCH": "az-batch-value", "GH_TOKEN": "ghp-token-value",
		"GL_USER": "gl-user", "GL_TOKEN": "glpat-value", "BB_PASSWORD": "bb-app-password",
		"GITEA_PASSWORD": "gitea-password-value", "CC_PASSWORD": "cc-password-value",
		"SSH_PASSPHRASE": "ssh-passphrase-value", "K8S_TOKEN": "k8s-token-value", "REG_PASSWORD": "reg-password-value",
		"FILE": file,
	}
}

// TestRoundTrip creates every provider's credential in the personal
// workspace and in workspace 1001, with and without a description, under
// both reply shapes of create, and checks that the live object has exactly
// the Key and Attrs of the desired one (so the plan after an apply is
// empty), the id the create returned, and that Seqera stored the secrets.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	if len(roundTripSpecs) != len(manifest.SeqeraProviders) {
		t.Errorf("round trip covers %d providers, the manifest knows %d", len(roundTripSpecs), len(manifest.SeqeraProviders))
	}
	for _, shape := range []string{emulator.SeqeraShapeCurrent, emulator.SeqeraShapeSeed} {
		t.Run(shape, func(t *testing.T) {
			t.Parallel()
			e := setup(t, emulator.Options{SeqeraShape: shape})
			vars := roundTripVars(t)
			var src strings.Builder
			var stored []map[string]string
			for _, p := range manifest.SeqeraProviders {
				tc := roundTripSpecs[p.Name]
				spec := strings.ReplaceAll(tc.spec, "{fromFile: FILE}", "{fromFile: "+vars["FILE"]+"}")
				for _, ws := range []string{"", "workspaceId: 1001"} {
					for _, desc := range []string{"", `description: 'Pipelines: "team" access'`} {
						name := p.Name // the same in both workspaces
						if desc != "" {
							name += "-described"
						}
						src.WriteString(seqeraDoc(name, strings.Trim(ws+", "+desc, ", "), spec))
						stored = append(stored, tc.stored)
					}
				}
			}
			objs := e.desired(src.String(), vars)
			if len(objs) != len(stored) {
				t.Fatalf("Desired gave %d objects for %d documents", len(objs), len(stored))
			}
			ids, live := testkit.CreateAndRead(t, e.p, objs)
			for i, d := range objs {
				if l := live[d.Key]; l != nil {
					if diff := cmp.Diff(d.InPlace, l.InPlace); diff != "" {
						t.Errorf("%s: InPlace (-desired +live):\n%s", d.Key, diff)
					}
				}
				got, _ := e.em.Server.StoredSecrets(ids[i])
				if diff := cmp.Diff(stored[i], got); diff != "" {
					t.Errorf("%s: stored secrets (-want +got):\n%s", d.Key, diff)
				}
			}
			plan := diff.Compute(objs, values(live), manifest.NewSet(nil), diff.Options{})
			if plan.HasChanges() {
				t.Errorf("the plan after the apply has changes: %+v", plan.Summary())
			}
		})
	}
}

func values(m map[manifest.Key]*diff.Object) []*diff.Object {
	out := make([]*diff.Object, 0, len(m))
	for _, o := range m {
		out = append(out, o)
	}
	return out
}

func TestDesiredObject(t *testing.T) {
	t.Parallel()
	set := testkit.Parse(t, `
apiVersion: runai-sync/v1
kind: SeqeraCredential
metadata: {name: s3-ci, description: CI bucket, workspaceId: 1001}
spec:
  provider: aws
  category: cloud
  keys:
    accessKey: {fromEnv: AWS_KEY_ID}
    secretKey: {fromServiceAccount: {name: ci, field: clientSecret}}
lifecycle: {protect: true}
---
apiVersion: runai-sync/v1
kind: SeqeraCredential
metadata: {name: deploy-key}
spec:
  provider: ssh
  keys:
    privateKey: {fromEnv: SSH_KEY}
`)
	objs, diags := NewProvider(nil, nil, Options{}).Desired(set, testkit.Resolver(map[string]string{"AWS_KEY_ID": "AKIAFROMENV", "SSH_KEY": "ssh-key-value"}))
	if len(diags) > 0 || len(objs) != 2 {
		t.Fatalf("Desired = %v, %v", objs, diags)
	}
	sa := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	want := []*diff.Object{{
		Key:      key("1001", "s3-ci"),
		Provider: "seqera",
		Attrs: map[string]string{
			"metadata.description": `"CI bucket"`, "spec.provider": `"aws"`, "spec.category": `"cloud"`,
			"spec.keys.accessKey": `"AKIAFROMENV"`,
		},
		Secrets: map[string]diff.SecretAttr{
			"spec.keys.secretKey": {Source: "ServiceAccount ci/clientSecret", Output: &diff.OutputRef{Key: sa, Field: "clientSecret"}},
		},
		InPlace:        []string{"metadata.description", "spec.category", "spec.baseUrl", "spec.keys.accessKey", "spec.keys.secretKey", "spec.keys.assumeRoleArn"},
		Fingerprinted:  []string{"spec.keys.accessKey", "spec.keys.assumeRoleArn"},
		ResendsSecrets: true,
		Protected:      true,
	}, {
		Key:            key("", "deploy-key"),
		Provider:       "seqera",
		Attrs:          map[string]string{"spec.provider": `"ssh"`},
		Secrets:        map[string]diff.SecretAttr{"spec.keys.privateKey": {Source: "env SSH_KEY"}},
		InPlace:        []string{"metadata.description", "spec.category", "spec.baseUrl", "spec.keys.privateKey", "spec.keys.passphrase"},
		ResendsSecrets: true,
	}}
	if got := objs[1].Secrets["spec.keys.privateKey"].Value.Reveal(); got != "ssh-key-value" {
		t.Errorf("privateKey resolved to %q", got)
	}
	var got []*diff.Object
	for _, o := range objs {
		c := *o
		got = append(got, &c)
	}
	// Values are compared above: Secret hides them from cmp.
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b manifest.Secret) bool { return true })); diff != "" {
		t.Errorf("Desired (-want +got):\n%s", diff)
	}
	for _, o := range objs {
		if o.CanChangeInPlace("spec.provider") {
			t.Errorf("%s: spec.provider must force a replace", o.Key)
		}
	}
}

func TestDesiredCollectsEveryProblem(t *testing.T) {
	t.Parallel()
	set := testkit.Parse(t, seqeraDoc("a", "", `{provider: github, keys: {username: {fromServiceAccount: {name: ci, field: clientId}}, password: {fromEnv: MISSING_ONE}}}`)+
		seqeraDoc("b", "workspaceId: 1001", `{provider: aws, keys: {accessKey: {fromEnv: MISSING_TWO}, secretKey: {fromFile: /nonexistent/runai-sync/file}, region: eu}}`)+
		seqeraDoc("c", "", `{provider: svn, keys: {user: x}}`))
	objs, diags := NewProvider(nil, nil, Options{}).Desired(set, testkit.Resolver(nil))
	if len(objs) != 3 {
		t.Errorf("Desired returned %d objects, want 3 despite the diagnostics", len(objs))
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	want := []string{
		"test.yaml:5:64: spec.keys.username.fromServiceAccount: username is not a secret key of provider github: give its value as a string, fromEnv or fromFile (values made during the apply go to secret keys only)",
		"test.yaml:5:114: spec.keys.password.fromEnv: environment variable MISSING_ONE is not set",
		"test.yaml:10:51: spec.keys.accessKey.fromEnv: environment variable MISSING_TWO is not set",
		"test.yaml:10:87: spec.keys.secretKey.fromFile: file /nonexistent/runai-sync/file does not exist",
		`test.yaml:10:126: spec.keys.region: provider aws has no key "region" (its keys: accessKey, secretKey, assumeRoleArn)`,
		`test.yaml:15:18: spec.provider: unknown provider "svn": use one of aws, azure, google, github, gitlab, bitbucket, gitea, codecommit, ssh, k8s, container-reg`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestWorkspaces(t *testing.T) {
	t.Parallel()
	own := func(sel string) string {
		return "---\napiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: o}\nspec: {seqeraCredentials: [" + sel + "]}\n"
	}
	runaiCred := "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: r, scope: tenant}\nspec: {type: password, user: u, password: p}\n"
	gh := `{provider: github, keys: {username: u, password: p}}`
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"Run:ai only", runaiCred, nil},
		{"personal", seqeraDoc("a", "", gh), []string{""}},
		{"sorted by number, unique", seqeraDoc("a", "workspaceId: 1002", gh) + seqeraDoc("b", "workspaceId: 999", gh) +
			seqeraDoc("c", "workspaceId: 1002", gh) + seqeraDoc("d", "", gh), []string{"", "999", "1002"}},
		{"ownership selectors", runaiCred + own("{workspaceId: 1001}, {names: [ci-*]}, {workspaceId: 7}"), []string{"", "7", "1001"}},
		{"both", seqeraDoc("a", "workspaceId: 1001", gh) + own("{workspaceId: 1001}, {workspaceId: 1002}"), []string{"1001", "1002"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Workspaces(testkit.Parse(t, tt.src))); diff != "" {
			t.Errorf("%s: Workspaces (-want +got):\n%s", tt.name, diff)
		}
	}
}
