package export

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

func TestVariableNames(t *testing.T) {
	cred := func(name, scopeID string) *diff.Object {
		return &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: scopeID, Name: name},
			Attrs: map[string]string{"spec.user": `"u"`}}
	}
	generic := &diff.Object{Key: manifest.Key{Kind: manifest.KindCredential, Type: "genericSecret", Scope: "tenant", Name: "1-login"},
		Attrs: map[string]string{"spec.keyValuePairs": `["ID","apiToken"]`}}
	docs, err := Objects([]*diff.Object{cred("db", "12"), cred("db", "7"), generic,
		{Key: manifest.Key{Kind: manifest.KindAccessKey, Scope: "user", ScopeID: "alice", Name: "theirs"}}})
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
