package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/internal/golden"
	"github.com/runai-sync/runai-sync/schema"
)

// TestInvalidManifests checks that every case under testdata/invalid (a
// file, or a directory validated as one set) gives exactly the diagnostics of
// its golden file, and at least one error.
func TestInvalidManifests(t *testing.T) {
	t.Chdir("..") // positions read as a user at the repository root sees them
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".golden") || strings.HasSuffix(name, ".ACTUAL") {
			continue
		}
		cases++
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "invalid", name)
			_, diags := schema.Load(path)
			if !diags.HasErrors() {
				t.Fatalf("%s validates, but every case here must be invalid:\n%s", path, diags.Error())
			}
			golden.Check(t, filepath.Join("testdata", "invalid", strings.TrimSuffix(name, filepath.Ext(name))+".golden"), []byte(diags.Error()+"\n"))
		})
	}
	if cases < 25 {
		t.Errorf("testdata/invalid holds %d cases, want at least 25", cases)
	}
}

// TestExamplesValidateClean checks the examples users copy: no error, no
// warning. (examples/tenants/ holds manifests with tenants' variables: the
// tenants_example script checks it per tenant.)
func TestExamplesValidateClean(t *testing.T) {
	t.Chdir("..")
	set, diags := schema.Load("examples/tenant")
	if len(diags) > 0 {
		t.Fatalf("examples/ should validate without a diagnostic:\n%s", diags.Error())
	}
	kinds := map[string]int{}
	for _, r := range set.Resources {
		k := r.Key()
		kinds[string(k.Kind)+"/"+k.Type]++
	}
	for _, want := range []string{"Credential/accessKey", "Credential/password", "Credential/dockerRegistry", "Credential/genericSecret", "Credential/ngcApiKey", "ServiceAccount/", "AccessKey/", "SeqeraCredential/"} {
		if kinds[want] == 0 {
			t.Errorf("examples/ has no %s; the example tenant should show every kind and credential type", want)
		}
	}
	if len(set.Ownerships) == 0 {
		t.Error("examples/ has no Ownership document")
	}
}
