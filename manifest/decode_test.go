package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestDecodeFastMatchesJSON decodes every document of the examples and of
// the invalid test data both ways: where decodeFast does not give up, it
// fills exactly what encoding/json fills.
func TestDecodeFastMatchesJSON(t *testing.T) {
	var files []string
	for _, dir := range []string{"../examples", "../testdata/invalid"} {
		_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && IsManifestFile(p) {
				files = append(files, p)
			}
			return nil
		})
	}
	extra := []byte(`apiVersion: runai-sync/v1
kind: Credential
metadata: {name: a, scope: project, projectId: 7, Description: by case only}
spec: {type: password, user: u, password: {fromEnv: X}}
---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: b, scope: project, projectId: 99999999999}
spec: {type: generic, keyValuePairs: {a: literal, b: {fromFile: f}}}
---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: d, scope: tenant}
spec: {type: generic, keyValuePairs: {a: literal, b: {fromFile: f}, c: {fromEnv: E}, d: "", e: {fromFile: {path: p, encoding: base64}}}}
---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: c, scope: project, projectId: "7", description: null}
spec: {type: password, user: 3, password: [x]}
---
apiVersion: runai-sync/v1
kind: ServiceAccount
metadata: {name: d}
spec:
  accessRules:
    - {role: ML engineer, scope: project, project: team-a}
    - {role: Viewer, scope: project, projectId: 12}
    - {role: Viewer, scope: department, departmentId: "2"}
`)
	fast, slow := 0, 0
	check := func(name string, docs []*Document) {
		for _, d := range docs {
			if d.Value == nil {
				continue
			}
			errFast := d.decode(true)
			gotRes, gotOwn := d.Resource, d.Ownership
			errSlow := d.decode(false)
			if errors.Is(errFast, errSlowPath) {
				slow++
				continue
			}
			fast++
			if (errFast == nil) != (errSlow == nil) {
				t.Errorf("%s: fast error %v, JSON error %v", d, errFast, errSlow)
			}
			if !reflect.DeepEqual(gotRes, d.Resource) || !reflect.DeepEqual(gotOwn, d.Ownership) {
				t.Errorf("%s (%s): fast decoding differs:\n%#v\n%#v", d, name, gotRes, d.Resource)
			}
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, _ := Parse(f, data)
		check(f, docs)
	}
	docs, _ := Parse("extra.yaml", extra)
	check("extra.yaml", docs)
	if fast < 10 || slow < 3 {
		t.Errorf("decoded %d documents directly and %d through JSON; want at least 10 and 3", fast, slow)
	}
	t.Logf("%d direct, %d through JSON", fast, slow)
}
