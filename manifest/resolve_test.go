package manifest

import (
	"io/fs"
	"testing"
)

// TestResolve: fromEnv and fromFile values, a file's one trailing newline
// (LF or CRLF) dropped, paths relative to the manifest's directory, and
// errors that name the variable or file, never a value.
func TestResolve(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"m/tok":     "tok\n",
		"m/crlf":    "tok\r\n",
		"m/two":     "tok\n\n",
		"m/empty":   "\n",
		"/abs/tok":  "abs",
		"rel-stdin": "from-cwd",
	}
	r := Resolver{
		LookupEnv: func(k string) (string, bool) {
			v, ok := map[string]string{"SET": "value", "EMPTY": ""}[k]
			return v, ok
		},
		ReadFile: func(p string) ([]byte, error) {
			if p == "m/denied" {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
			}
			v, ok := files[p]
			if !ok {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
			}
			return []byte(v), nil
		},
	}
	inM := &Document{File: "m/creds.yaml"}
	fromStdin := &Document{File: "<stdin>"}
	for _, tt := range []struct {
		name    string
		doc     *Document
		ref     SecretRef
		want    string
		wantErr string
	}{
		{"literal", inM, SecretRef{Literal: NewSecret("lit")}, "lit", ""},
		{"env", inM, SecretRef{FromEnv: "SET"}, "value", ""},
		{"env unset", inM, SecretRef{FromEnv: "UNSET"}, "", "environment variable UNSET is not set"},
		{"env empty", inM, SecretRef{FromEnv: "EMPTY"}, "", "environment variable EMPTY is empty"},
		{"file, newline dropped", inM, SecretRef{FromFile: "tok"}, "tok", ""},
		{"file, CRLF dropped", inM, SecretRef{FromFile: "crlf"}, "tok", ""},
		{"file, only one newline dropped", inM, SecretRef{FromFile: "two"}, "tok\n", ""},
		{"file absolute", inM, SecretRef{FromFile: "/abs/tok"}, "abs", ""},
		{"file relative to the working directory for stdin", fromStdin, SecretRef{FromFile: "rel-stdin"}, "from-cwd", ""},
		{"file empty", inM, SecretRef{FromFile: "empty"}, "", "file m/empty is empty"},
		{"file missing", inM, SecretRef{FromFile: "nope"}, "", "file m/nope does not exist"},
		{"file unreadable", inM, SecretRef{FromFile: "denied"}, "", "cannot read m/denied: permission denied"},
	} {
		v, ok, err := r.Resolve(tt.doc, tt.ref)
		switch {
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr || ok {
				t.Errorf("%s: Resolve = %v, %v; want the error %q", tt.name, ok, err, tt.wantErr)
			}
		case err != nil || !ok || v.Reveal() != tt.want:
			t.Errorf("%s: Resolve = %q, %v, %v; want %q", tt.name, v.Reveal(), ok, err, tt.want)
		}
	}
	// An output of another resource has no value before the apply.
	if _, ok, err := r.Resolve(inM, SecretRef{FromServiceAccount: &OutputRef{Name: "ci", Field: "clientSecret"}}); ok || err != nil {
		t.Errorf("an output reference resolved: %v, %v", ok, err)
	}
}
