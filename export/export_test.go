package export

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/orgunit"
)

func TestVariableNames(t *testing.T) {
	cred := func(name, scopeID string) *diff.Object {
		return &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: scopeID, Name: name},
			Attrs: map[string]string{"spec.user": `"u"`}}
	}
	generic := &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "genericSecret", Scope: "tenant", Name: "1-login"},
		Attrs: map[string]string{"spec.keyValuePairs": `["ID","apiToken"]`}}
	docs, err := Objects([]*diff.Object{cred("db", "12"), cred("db", "7"), generic,
		{Key: manifest.Key{Kind: manifest.KindAccessKey, Scope: "user", ScopeID: "alice", Name: "theirs"}}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		for _, v := range d.Vars {
			got = append(got, v.Field+"="+v.Name)
		}
	}
	want := []string{
		"spec.keyValuePairs.ID=_1_LOGIN_ID", "spec.keyValuePairs.apiToken=_1_LOGIN_API_TOKEN",
		"spec.password=DB_PASSWORD", "spec.password=DB_PROJECT_12_PASSWORD",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("variables (-want +got):\n%s", diff)
	}
	if len(docs) != 3 {
		t.Errorf("another user's access key should be skipped: %d documents", len(docs))
	}
	y, err := docs[1].YAML()
	if err != nil {
		t.Fatal(err)
	}
	wantYAML := "apiVersion: runai-sync/v1\nkind: Credential\nmetadata:\n  name: db\n  scope: project\n  projectId: 7\nspec:\n  type: password\n  password:\n    fromEnv: DB_PASSWORD\n  user: u\n"
	if diff := cmp.Diff(wantYAML, string(y)); diff != "" {
		t.Errorf("YAML (-want +got):\n%s", diff)
	}
}

// A Seqera credential whose keys the platform did not show gets a
// placeholder for each required non-secret key, and lists the optional ones.
func TestSeqeraKeysNotShown(t *testing.T) {
	key := manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: manifest.ScopeWorkspace, ScopeID: "1001", Name: "s3"}
	shown := &diff.Object{Key: key, Attrs: map[string]string{"spec.provider": `"aws"`, "spec.keys.accessKey": `"AKIA1"`}}
	hidden := &diff.Object{Key: key, Attrs: map[string]string{"spec.provider": `"aws"`}, Unread: []string{"spec.keys.accessKey", "spec.keys.assumeRoleArn"}}
	for _, tc := range []struct {
		name           string
		o              *diff.Object
		vars, optional []string
		accessKey      any
	}{
		{"shown", shown, []string{"spec.keys.secretKey=S3_SECRET_KEY"}, nil, "AKIA1"},
		{"hidden", hidden, []string{"spec.keys.accessKey=S3_ACCESS_KEY", "spec.keys.secretKey=S3_SECRET_KEY"}, []string{"spec.keys.assumeRoleArn=S3_ASSUME_ROLE_ARN"},
			map[string]any{"fromEnv": "S3_ACCESS_KEY"}},
	} {
		docs, err := Objects([]*diff.Object{tc.o}, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var vars, optional []string
		for _, v := range docs[0].Vars {
			vars = append(vars, v.Field+"="+v.Name)
		}
		for _, v := range docs[0].Optional {
			optional = append(optional, v.Field+"="+v.Name)
		}
		if diff := cmp.Diff(tc.vars, vars); diff != "" {
			t.Errorf("%s: variables (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.optional, optional); diff != "" {
			t.Errorf("%s: optional (-want +got):\n%s", tc.name, diff)
		}
		keys := docs[0].Value["spec"].(map[string]any)["keys"].(map[string]any)
		if diff := cmp.Diff(tc.accessKey, keys["accessKey"]); diff != "" {
			t.Errorf("%s: accessKey (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestScopesByName: with a Namer, scopes are written by name; a project
// name two clusters use is qualified by its cluster; a unit the tree does
// not know, or two departments of one name, keep their ids.
func TestScopesByName(t *testing.T) {
	a, b := "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
	tree := &orgunit.Tree{
		Clusters:    []orgunit.Cluster{{ID: a, Name: "gpu-a"}, {ID: b, Name: "gpu-b"}},
		Departments: []orgunit.Department{{ID: "1", Name: "research", ClusterID: a}, {ID: "2", Name: "ml", ClusterID: a}, {ID: "3", Name: "ml", ClusterID: b}},
		Projects: []orgunit.Project{{ID: "12", Name: "team-a", DepartmentID: "1", ClusterID: a},
			{ID: "20", Name: "shared", DepartmentID: "1", ClusterID: a}, {ID: "21", Name: "shared", DepartmentID: "3", ClusterID: b}},
	}
	obj := func(name, scope, id string) *diff.Object {
		return &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: scope, ScopeID: id, Name: name},
			Attrs: map[string]string{"spec.user": `"u"`}}
	}
	docs, err := Objects([]*diff.Object{obj("p1", "project", "12"), obj("p2", "project", "21"), obj("p3", "project", "99"),
		obj("d1", "department", "1"), obj("d2", "department", "2"), obj("c1", "cluster", b)}, tree, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, d := range docs {
		md := d.Value["metadata"].(map[string]any)
		delete(md, "name")
		got[d.Key.Name] = md
	}
	want := map[string]map[string]any{
		"p1": {"scope": "project", "project": "team-a"},
		"p2": {"scope": "project", "project": "gpu-b/shared"},
		"p3": {"scope": "project", "projectId": 99},
		"d1": {"scope": "department", "department": "research"},
		"d2": {"scope": "department", "departmentId": "2"},
		"c1": {"scope": "cluster", "cluster": "gpu-b"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("metadata (-want +got):\n%s", d)
	}
}

// With a SOPS file, each secret field is a fromSops placeholder whose key is
// named as the variable would be, and the keys are listed the same way.
func TestSopsPlaceholders(t *testing.T) {
	o := &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "accessKey", Scope: "project", ScopeID: "7", Name: "team-a-s3"},
		Attrs: map[string]string{"spec.accessKeyId": `"AKIA1"`}}
	docs, err := Objects([]*diff.Object{o}, nil, Options{SopsFile: "secrets/team-a.enc.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	y, err := docs[0].YAML()
	if err != nil {
		t.Fatal(err)
	}
	want := "  secretAccessKey:\n    fromSops:\n      file: secrets/team-a.enc.yaml\n      key: TEAM_A_S3_SECRET_ACCESS_KEY\n"
	if !strings.Contains(string(y), want) {
		t.Errorf("YAML:\n%s\nwant it to contain:\n%s", y, want)
	}
	if diff := cmp.Diff([]Var{{Name: "TEAM_A_S3_SECRET_ACCESS_KEY", Field: "spec.secretAccessKey"}}, docs[0].Vars); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}
