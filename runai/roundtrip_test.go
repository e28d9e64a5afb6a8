package runai

import (
	"context"
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

// The scopes of the default emulator organisation.
var scopes = map[string]string{
	"tenant":     "scope: tenant",
	"cluster":    "scope: cluster, clusterId: " + emulator.DefaultClusterID,
	"clusterUC":  "scope: cluster, clusterId: " + strings.ToUpper(emulator.DefaultClusterID),
	"department": `scope: department, departmentId: "2"`,
	"project":    "scope: project, projectId: 12",
}

// roundTripCase is a credential spec and the secrets the API must store.
type roundTripCase struct {
	spec    string
	stored  map[string]string
	private bool // only for types that allow meta.private
}

var roundTripSpecs = map[string]roundTripCase{
	"access-key":          {spec: `{type: accessKey, accessKeyId: AKIAEXAMPLE, secretAccessKey: {fromEnv: S3_SECRET}}`, stored: map[string]string{"secretAccessKey": "s3-secret-value"}},
	"access-key-existing": {spec: `{type: accessKey, existingSecretName: s3-in-cluster}`, stored: map[string]string{}},
	"password":            {spec: `{type: password, user: svc-git, password: {fromEnv: GIT_PASSWORD}}`, stored: map[string]string{"password": "git-password-value"}},
	"password-existing":   {spec: `{type: password, existingSecretName: git-in-cluster}`, stored: map[string]string{}},
	"docker":              {spec: `{type: dockerRegistry, user: bot, password: literal-docker-password, url: "https://registry.example.com"}`, stored: map[string]string{"password": "literal-docker-password"}},
	"docker-private":      {spec: `{type: dockerRegistry, user: bot, password: {fromEnv: DOCKER_PASSWORD}, url: "https://r.example", private: true}`, stored: map[string]string{"password": "docker-password-value"}, private: true},
	"docker-existing":     {spec: `{type: dockerRegistry, existingSecretName: regcred}`, stored: map[string]string{}},
	"generic":             {spec: `{type: genericSecret, keyValuePairs: {B_KEY: {fromEnv: B_VALUE}, A_KEY: literal-a-value, C_KEY: {fromFile: FILE}}}`, stored: map[string]string{"A_KEY": "literal-a-value", "B_KEY": "b-value", "C_KEY": "file-value"}},
	"generic-private":     {spec: `{type: genericSecret, private: true, keyValuePairs: {ONLY: {fromEnv: B_VALUE}}}`, stored: map[string]string{"ONLY": "b-value"}, private: true},
	"generic-existing":    {spec: `{type: genericSecret, existingSecretName: generic-in-cluster}`, stored: map[string]string{}},
	"ngc":                 {spec: `{type: ngcApiKey, ngc_api_key: {fromEnv: NGC_KEY}}`, stored: map[string]string{"ngc_api_key": "nvapi-ngc-value"}},
	"private-false":       {spec: `{type: password, user: u, password: {fromEnv: GIT_PASSWORD}, private: false}`, stored: map[string]string{"password": "git-password-value"}},
	"workload-types": {spec: `{type: accessKey, accessKeyId: AK2, secretAccessKey: {fromEnv: S3_SECRET},
  workloadSupportedTypes: {inference: false, workspace: true, training: true, distributed: true, distFramework: PyTorch}}`, stored: map[string]string{"secretAccessKey": "s3-secret-value"}},
	"workload-types-some": {spec: `{type: genericSecret, keyValuePairs: {K: v}, workloadSupportedTypes: {workspace: false}}`, stored: map[string]string{"K": "v"}},
}

func roundTripVars(t *testing.T) map[string]string {
	file := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(file, []byte("file-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"S3_SECRET": "s3-secret-value", "GIT_PASSWORD": "git-password-value", "DOCKER_PASSWORD": "docker-password-value",
		"B_VALUE": "b-value", "NGC_KEY": "nvapi-ngc-value", "FILE": file,
	}
}

// TestRoundTrip creates every type in every scope with every option and
// checks that the live object the API returns has exactly the Attrs and
// Key of the desired one (so the plan after an apply is empty), and that
// the API stored the secret values.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	vars := roundTripVars(t)
	var src strings.Builder
	type want struct {
		key    string
		stored map[string]string
	}
	var wants []want
	for scopeName, scope := range scopes {
		for specName, tc := range roundTripSpecs {
			for _, desc := range []string{"", "description: 'Read-only: \"team\" bucket'"} {
				name := scopeName + "-" + specName
				if desc != "" {
					name += "-described"
				}
				spec := strings.ReplaceAll(tc.spec, "{fromFile: FILE}", "{fromFile: "+vars["FILE"]+"}")
				meta := scope
				if desc != "" {
					meta += ", " + desc
				}
				src.WriteString(credentialDoc(strings.ToLower(name), meta, spec))
				wants = append(wants, want{strings.ToLower(name), tc.stored})
			}
		}
	}
	objs := e.desired(src.String(), vars)
	if len(objs) != len(wants) {
		t.Fatalf("Desired gave %d objects for %d documents", len(objs), len(wants))
	}
	ids, live := testkit.CreateAndRead(t, e.p, objs)
	for i, d := range objs {
		if l := live[d.Key]; l != nil && l.Status == "" {
			t.Errorf("%s: the live object shows no status", d.Key)
		}
		stored, _ := e.em.Server.StoredSecrets(ids[i])
		if diff := cmp.Diff(wants[i].stored, stored); diff != "" {
			t.Errorf("%s: stored secrets (-want +got):\n%s", d.Key, diff)
		}
	}
}

func TestDesiredObject(t *testing.T) {
	t.Parallel()
	set := testkit.Parse(t, `
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: ci-login, scope: cluster, clusterId: 4F7AB1D2-3C5E-4B8A-9D10-1E2F3A4B5C6D, description: CI}
spec:
  type: genericSecret
  keyValuePairs:
    RUNAI_CLIENT_ID: {fromServiceAccount: {name: ci, field: clientId}}
    RUNAI_CLIENT_SECRET: {fromServiceAccount: {name: ci, field: clientSecret}}
    KEY_ID: {fromAccessKey: {name: mine, field: clientId}}
    TOKEN: {fromEnv: TOKEN}
lifecycle: {protect: true}
`)
	p := NewProvider(nil)
	objs, diags := p.Desired(set, testkit.Resolver(map[string]string{"TOKEN": "tok-value"}))
	if len(diags) > 0 || len(objs) != 1 {
		t.Fatalf("Desired = %v, %v", objs, diags)
	}
	o := objs[0]
	sa := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	ak := manifest.Key{Kind: manifest.KindAccessKey, Name: "mine"}
	want := &diff.Object{
		Key:      manifest.Key{Kind: manifest.KindCredential, Type: "genericSecret", Scope: "cluster", ScopeID: "4f7ab1d2-3c5e-4b8a-9d10-1e2f3a4b5c6d", Name: "ci-login"},
		Provider: "runai",
		Attrs:    map[string]string{"metadata.description": `"CI"`, "spec.keyValuePairs": `["KEY_ID","RUNAI_CLIENT_ID","RUNAI_CLIENT_SECRET","TOKEN"]`},
		Secrets: map[string]diff.SecretAttr{
			"spec.keyValuePairs.RUNAI_CLIENT_ID":     {Source: "ServiceAccount ci/clientId", Output: &diff.OutputRef{Key: sa, Field: "clientId"}},
			"spec.keyValuePairs.RUNAI_CLIENT_SECRET": {Source: "ServiceAccount ci/clientSecret", Output: &diff.OutputRef{Key: sa, Field: "clientSecret"}},
			"spec.keyValuePairs.KEY_ID":              {Source: "AccessKey mine/clientId", Output: &diff.OutputRef{Key: ak, Field: "clientId"}},
			"spec.keyValuePairs.TOKEN":               {Source: "env TOKEN"},
		},
		InPlace:   []string{"metadata.description"},
		Protected: true,
	}
	// Values are compared separately: Secret hides them from cmp.
	if got := o.Secrets["spec.keyValuePairs.TOKEN"].Value.Reveal(); got != "tok-value" {
		t.Errorf("TOKEN resolved to %q", got)
	}
	got := *o
	if diff := cmp.Diff(want, &got, cmp.Comparer(func(a, b manifest.Secret) bool { return true })); diff != "" {
		t.Errorf("Desired (-want +got):\n%s", diff)
	}
}

func TestDesiredCollectsEveryUnresolvedReference(t *testing.T) {
	t.Parallel()
	set := testkit.Parse(t, credentialDoc("a", "scope: tenant", `{type: password, user: u, password: {fromEnv: MISSING_ONE}}`)+
		credentialDoc("b", "scope: tenant", `{type: genericSecret, keyValuePairs: {X: {fromEnv: MISSING_TWO}, Y: {fromFile: /nonexistent/runai-sync/file}, Z: ok}}`))
	objs, diags := NewProvider(nil).Desired(set, testkit.Resolver(nil))
	if len(objs) != 2 {
		t.Errorf("Desired returned %d objects, want 2 despite the diagnostics", len(objs))
	}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	want := []string{
		"test.yaml:5:53: spec.password.fromEnv: environment variable MISSING_ONE is not set",
		"test.yaml:10:58: spec.keyValuePairs.X.fromEnv: environment variable MISSING_TWO is not set",
		"test.yaml:10:86: spec.keyValuePairs.Y.fromFile: file /nonexistent/runai-sync/file does not exist",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestLiveKeysSkipWhatIsNotManaged(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	pid := int64(12)
	tests := []struct {
		name string
		meta assetMeta
		want manifest.Key
		ok   bool
	}{
		{"project ignores clusterId", assetMeta{Name: "a", Kind: "password", Scope: "project", ProjectID: &pid, ClusterID: str("C")}, manifest.Key{Kind: "Credential", Type: "password", Scope: "project", ScopeID: "12", Name: "a"}, true},
		{"department ignores clusterId", assetMeta{Name: "a", Kind: "ngcApiKey", Scope: "department", DepartmentID: str("2"), ClusterID: str("C")}, manifest.Key{Kind: "Credential", Type: "ngcApiKey", Scope: "department", ScopeID: "2", Name: "a"}, true},
		{"cluster lower-cased", assetMeta{Name: "a", Kind: "accessKey", Scope: "cluster", ClusterID: str("ABC")}, manifest.Key{Kind: "Credential", Type: "accessKey", Scope: "cluster", ScopeID: "abc", Name: "a"}, true},
		{"tenant", assetMeta{Name: "a", Kind: "genericSecret", Scope: "tenant"}, manifest.Key{Kind: "Credential", Type: "genericSecret", Scope: "tenant", Name: "a"}, true},
		{"system skipped", assetMeta{Name: "a", Kind: "password", Scope: "system"}, manifest.Key{}, false},
		{"other asset kinds skipped", assetMeta{Name: "a", Kind: "s3", Scope: "tenant"}, manifest.Key{}, false},
		{"project without id skipped", assetMeta{Name: "a", Kind: "password", Scope: "project"}, manifest.Key{}, false},
	}
	for _, tt := range tests {
		got, ok := liveKey(tt.meta)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("%s: liveKey = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUsedByNamesEveryUser(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	ids := e.mustCreate(e.desired(credentialDoc("used", "scope: project, projectId: 12", `{type: password, user: u, password: p}`), nil)...)
	err := e.em.Server.MarkInUse(ids[0],
		emulator.Workload{Type: "workspaces", Name: "notebook"},
		emulator.Workload{Type: "trainings", Name: "train-llm"},
		emulator.Workload{Type: "distributed", Name: "ddp"},
		emulator.Workload{Type: "inferences", Name: "serve"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range e.snapshot() {
		got = o.UsedBy
	}
	want := []string{"distributed ddp", "inference serve", "training train-llm", "workspace notebook"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UsedBy (-want +got):\n%s", diff)
	}
	u := &usageInfo{Templates: []namedRef{{"tpl"}}}
	u.Assets = &struct {
		Environment  *namedRef  `json:"environment"`
		Environments []namedRef `json:"environments"`
		Compute      *namedRef  `json:"compute"`
		Computes     []namedRef `json:"computes"`
		Datasources  []struct {
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"datasources"`
	}{Environment: &namedRef{"env"}, Environments: []namedRef{{"env"}}, Computes: []namedRef{{"gpu"}}}
	u.Assets.Datasources = append(u.Assets.Datasources, struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}{"s3-data", "s3"})
	want = []string{"compute gpu", "datasource s3-data", "environment env", "template tpl"}
	if diff := cmp.Diff(want, usedBy(u)); diff != "" {
		t.Errorf("usedBy of assets (-want +got):\n%s", diff)
	}
	_ = context.Background
}
