package runai

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestDesiredFieldsInvertsAttrs: what a create sends is read back from the
// desired object's Attrs, so for every type, scope and option of the round
// trip the fields read back are the manifest's.
func TestDesiredFieldsInvertsAttrs(t *testing.T) {
	t.Parallel()
	vars := roundTripVars(t)
	var src strings.Builder
	for scopeName, scope := range scopes {
		for specName, tc := range roundTripSpecs {
			spec := strings.ReplaceAll(tc.spec, "{fromFile: FILE}", "{fromFile: "+vars["FILE"]+"}")
			src.WriteString(credentialDoc(strings.ToLower(scopeName+"-"+specName), scope+`, description: 'say "hi"\n'`, spec))
		}
	}
	set := testkit.Parse(t, src.String())
	objs, diags := NewProvider(nil).Desired(set, testkit.Resolver(vars))
	if len(diags) > 0 || len(objs) != len(set.Resources) {
		t.Fatalf("Desired = %d objects, %v", len(objs), diags)
	}
	for i, d := range objs {
		want := manifestFields(set.Resources[i].(*manifest.Credential))
		slices.Sort(want.Keys)
		got, err := desiredFields(d)
		if err != nil {
			t.Fatalf("%s: %v", d.Key, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: fields (-manifest +read back):\n%s", d.Key, diff)
		}
	}
}

// TestCreateBodyFromObject: the create body comes from the object alone
// (key, Attrs, Secrets); a plan whose Attrs are not what the provider
// wrote, or whose project scope has no id, is an error naming the field.
func TestCreateBodyFromObject(t *testing.T) {
	t.Parallel()
	d := &diff.Object{
		Key: manifest.Key{Kind: manifest.KindCredential, Type: manifest.TypeAccessKey, Scope: manifest.ScopeProject, ScopeID: "12", Name: "s3"},
		Attrs: map[string]string{attrDescription: `"team \"a\""`, attrAccessKeyID: `"AKIA"`, attrPrivate: "true",
			attrWorkloadTypes + ".training": "false", attrWorkloadTypes + ".distFramework": `"TF"`},
		Secrets: map[string]diff.SecretAttr{"spec.secretAccessKey": {Value: manifest.NewSecret("body-secret")}},
	}
	body, err := createBody(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	yes, no, tf, project := true, false, "TF", int32(12)
	want := &createRequest{
		Meta: createMeta{Name: "s3", Description: `team "a"`, Scope: "project", ProjectID: &project, Private: &yes,
			WorkloadSupportedTypes: &workloadTypes{Training: &no, DistFramework: &tf}},
		Spec: createSpec{AccessKeyID: "AKIA", SecretAccessKey: "body-secret"},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		edit func(o *diff.Object)
		want string
	}{
		{"not a boolean", func(o *diff.Object) { o.Attrs[attrPrivate] = "yes" }, "spec.private: the plan holds no true or false for it"},
		{"keys not an array", func(o *diff.Object) { o.Attrs[attrKeyValuePairs] = `"K"` }, "spec.keyValuePairs: the plan holds no JSON array of keys for it"},
		{"project by name", func(o *diff.Object) { o.Key.ScopeID = "team-a" }, "metadata.projectId is required for scope project"},
		{"secret without value", func(o *diff.Object) { o.Secrets["spec.secretAccessKey"] = diff.SecretAttr{Source: "env S3"} }, "spec.secretAccessKey (env S3) has no value: resolve it before applying"},
	} {
		o := *d
		o.Attrs, o.Secrets = maps.Clone(d.Attrs), maps.Clone(d.Secrets)
		tt.edit(&o)
		if _, err := createBody(&o, nil); err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.want)
		}
	}
}
