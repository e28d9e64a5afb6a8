package apply

import (
	"slices"
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestLiveAndDesired: a plan that lacks the object a step acts on is an
// error that says which; a whole one gives its objects.
func TestLiveAndDesired(t *testing.T) {
	t.Parallel()
	key := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	whole := &diff.Change{Key: key, Desired: &diff.Object{Key: key}, Live: &diff.Object{Key: key, ID: "7"}}
	if live, err := Live(whole, "update"); err != nil || live.ID != "7" {
		t.Errorf("Live = %v, %v", live, err)
	}
	if d, err := Desired(whole, "update"); err != nil || d != whole.Desired {
		t.Errorf("Desired = %v, %v", d, err)
	}
	noID := &diff.Change{Key: key, Live: &diff.Object{Key: key}}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"no live object", second(Live(&diff.Change{Key: key}, "delete")), "the plan holds no live object to delete"},
		{"live object without an id", second(Live(noID, "update")), "the plan holds no live object to update"},
		{"no desired object", second(Desired(noID, "create")), "the plan holds no desired object to create"},
	} {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %q", tt.name, tt.err, tt.want)
		}
	}
}

func second[A any](_ A, err error) error { return err }

// givenOutputs is an Inputs backed by a map.
type givenOutputs map[manifest.Key]map[string]manifest.Secret

func (o givenOutputs) Output(k manifest.Key, field string) (manifest.Secret, bool) {
	v, ok := o[k][field]
	return v, ok
}

// TestDesiredSecretAndSecretValue: a literal or fromEnv value is resolved
// into the plan, an unset variable is a diagnostic at its fromEnv, and an
// output reference becomes a dependency whose value only an earlier step
// of the apply supplies.
func TestDesiredSecretAndSecretValue(t *testing.T) {
	t.Parallel()
	src := "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: c, scope: tenant}\nspec:\n  type: genericSecret\n  keyValuePairs:\n" +
		"    A: literal-value\n    B: {fromEnv: SET}\n    C: {fromEnv: UNSET}\n    D: {fromServiceAccount: {name: ci, field: clientSecret}}\n"
	docs, diags := manifest.Parse("c.yaml", []byte(src))
	if len(diags) > 0 || len(docs) != 1 || docs[0].Decode() != nil {
		t.Fatalf("parse: %v", diags)
	}
	c := docs[0].Resource
	r := manifest.Resolver{LookupEnv: func(k string) (string, bool) { return "env-value", k == "SET" }}
	o := &diff.Object{}
	var got []string
	for _, f := range c.(*manifest.Credential).Secrets() {
		if d := DesiredSecret(o, f.Path.String(), c, f, r); d != nil {
			got = append(got, d.String())
		}
	}
	if want := []string{"c.yaml:9:18: spec.keyValuePairs.C.fromEnv: environment variable UNSET is not set"}; !slices.Equal(got, want) {
		t.Errorf("diagnostics = %q, want %q", got, want)
	}
	sa := manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}
	if out := o.Secrets["spec.keyValuePairs.D"].Output; out == nil || *out != (diff.OutputRef{Key: sa, Field: "clientSecret"}) {
		t.Errorf("D takes %v, want the clientSecret of %s", out, sa)
	}
	for path, want := range map[string]string{"spec.keyValuePairs.A": "literal-value", "spec.keyValuePairs.B": "env-value"} {
		if v, err := SecretValue(o, path, nil); err != nil || v != want {
			t.Errorf("SecretValue(%s) = %q, %v; want %q", path, v, err, want)
		}
	}
	for _, tt := range []struct {
		path string
		in   Inputs
		want string
	}{
		{"spec.keyValuePairs.C", nil, "spec.keyValuePairs.C (env UNSET) has no value: resolve it before applying"},
		{"spec.keyValuePairs.D", nil, "spec.keyValuePairs.D takes the clientSecret of ServiceAccount ci, which no earlier step of this apply produced"},
		{"spec.keyValuePairs.E", nil, "spec.keyValuePairs.E: the plan holds no value for it"},
	} {
		if _, err := SecretValue(o, tt.path, tt.in); err == nil || err.Error() != tt.want {
			t.Errorf("SecretValue(%s) error = %v, want %q", tt.path, err, tt.want)
		}
	}
	in := givenOutputs{sa: {"clientSecret": manifest.NewSecret("made-by-the-apply")}}
	if v, err := SecretValue(o, "spec.keyValuePairs.D", in); err != nil || v != "made-by-the-apply" {
		t.Errorf("SecretValue(D) = %q, %v", v, err)
	}
}
