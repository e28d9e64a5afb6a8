package state

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name, spec string
		getenv     func(string) string
		describe   string // "" with err: an error
		err        string
	}{
		{name: "default", spec: "", describe: DefaultPath},
		{name: "default with nil getenv", spec: "", getenv: nil, describe: DefaultPath},
		{name: "from the environment", spec: "", getenv: env(map[string]string{EnvState: "ci/state.json"}), describe: "ci/state.json"},
		{name: "flag wins over the environment", spec: "mine.json", getenv: env(map[string]string{EnvState: "ci/state.json"}), describe: "mine.json"},
		{name: "file", spec: "/var/lib/runai-sync/state.json", describe: "/var/lib/runai-sync/state.json"},
		{name: "postgres", spec: "postgres://runai:s3cr3t-pw@db.example.com:5432/runai?sslmode=require&connect_timeout=5", describe: "postgres://db.example.com:5432/runai"},
		{name: "postgresql with schema", spec: "postgresql://runai:s3cr3t-pw@db.example.com/runai?schema=team_a&password=s3cr3t-pw", describe: "postgresql://db.example.com/runai?schema=team_a"},
		{name: "unknown scheme", spec: "mysql://root:s3cr3t-pw@db/x", err: `unknown scheme "mysql"`},
		{name: "directory", spec: dir, err: "is a directory"},
		{name: "trailing slash", spec: "some/dir/", err: "names a directory"},
		{name: "bad schema", spec: "postgres://db/x?schema=Team-A", err: "not a plain lower-case name"},
		{name: "empty schema", spec: "postgres://runai:s3cr3t-pw@db/x?schema=", err: `schema "" in the PostgreSQL URL`},
		{name: "schema twice", spec: "postgres://db/x?schema=a&schema=b", err: "gives schema 2 times"},
		{name: "malformed query", spec: "postgres://runai:s3cr3t-pw@db/x?schema=team_a;sslmode=disable", err: "query of the PostgreSQL URL is malformed"},
		{name: "bad escape in query", spec: "postgres://runai:s3cr3t-pw@db/x?schema=%zz", err: "query of the PostgreSQL URL is malformed"},
		{name: "bad URL", spec: "postgres://runai:s3cr3t-pw@db:notaport/x", err: "not valid"},
		{name: "bad parameter", spec: "postgres://runai:s3cr3t-pw@db/x?connect_timeout=soon", err: "not accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := Open(tc.spec, tc.getenv)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Open(%q): %v, want an error saying %q", tc.spec, err, tc.err)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if got := st.Describe(); got != tc.describe {
				t.Fatalf("Describe() = %q, want %q", got, tc.describe)
			}
		})
	}
	if st, err := Open("none", nil); st != nil || err != nil {
		t.Fatalf(`Open("none") = %v, %v; want nil, nil`, st, err)
	}
	if st, err := Open("", func(string) string { return "none" }); st != nil || err != nil {
		t.Fatalf(`Open with RUNAI_SYNC_STATE=none = %v, %v; want nil, nil`, st, err)
	}
	if _, err := os.Stat(filepath.Dir(DefaultPath)); err == nil {
		t.Fatalf("Open created %s", filepath.Dir(DefaultPath))
	}
}

// The servers a state would connect to: none for a file or none, the host
// of a postgres:// URL, the host= parameters that override it (sockets
// left out), several hosts, and RUNAI_SYNC_STATE when spec is empty.
func TestNetworkHosts(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvState {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		spec, env string
		want      []string
	}{
		{"state.json", "", nil},
		{"none", "", nil},
		{"", "", nil},
		{"postgres://runai@db.example/runai?schema=team_a", "", []string{"db.example:5432"}},
		{"postgresql://runai:secret@db.example:6543/runai", "", []string{"db.example:6543"}},
		{"postgres://runai@db.example/runai?host=evil.example", "", []string{"evil.example:5432"}},
		{"postgres://runai@a.example:1,b.example:2/runai", "", []string{"a.example:1", "b.example:2"}},
		{"postgres://runai@/runai?host=/var/run/postgresql", "", nil},
		{"", "postgres://runai@from-env.example/runai", []string{"from-env.example:5432"}},
	} {
		got, err := NetworkHosts(tc.spec, env(tc.env))
		if err != nil {
			t.Errorf("%q (env %q): %v", tc.spec, tc.env, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q (env %q) = %v, want %v", tc.spec, tc.env, got, tc.want)
		}
	}
}
