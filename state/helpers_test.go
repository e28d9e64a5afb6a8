package state

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/runai-sync/runai-sync/manifest"
)

// envTestPostgres names a PostgreSQL server for the tests; .ci/run starts
// one and sets it.
const envTestPostgres = "RUNAI_SYNC_TEST_POSTGRES"

// backend opens stores of one kind on a fresh state for a test.
type backend struct {
	name string
	// state makes a new, empty state for t and returns its --state spec.
	state func(t *testing.T) string
	// dump returns every byte the backend stores for spec, for scans.
	dump func(t *testing.T, spec string) []byte
}

var backends = []backend{
	{name: "file", state: fileState, dump: dumpFile},
	{name: "postgres", state: postgresState, dump: dumpPostgres},
}

// forEachBackend runs f once per backend, as subtests.
func forEachBackend(t *testing.T, f func(t *testing.T, b backend, spec string)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f(t, b, b.state(t))
		})
	}
}

func fileState(t *testing.T) string {
	return filepath.Join(t.TempDir(), "state-dir", "state.json")
}

func dumpFile(t *testing.T, spec string) []byte {
	t.Helper()
	var all []byte
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(spec), "*"))
	hidden, _ := filepath.Glob(filepath.Join(filepath.Dir(spec), ".*"))
	for _, n := range append(names, hidden...) {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// testPostgres returns the test server's URL, or skips the test when there
// is none; under CI (CI set) a missing server fails the test, so that CI
// never passes without running them.
func testPostgres(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(envTestPostgres)
	if dsn == "" {
		msg := envTestPostgres + " is not set, so the PostgreSQL backend is not tested; bash .ci/run starts a server and sets it, or set it to postgres://USER@HOST:PORT/DB of a server you can create schemas on"
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set: " + msg)
		}
		t.Skip(msg)
	}
	return dsn
}

// postgresState returns a spec for a fresh schema of the test server,
// dropped when the test ends.
func postgresState(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(testPostgres(t))
	if err != nil {
		t.Fatalf("%s: %v", envTestPostgres, err)
	}
	schema := "t_" + newToken()[:16]
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	spec := u.String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c := adminConn(t, ctx)
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
	})
	return spec
}

// adminConn connects to the test server with no schema.
func adminConn(t *testing.T, ctx context.Context) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, testPostgres(t))
	if err != nil {
		t.Fatalf("connecting to %s: %v", envTestPostgres, err)
	}
	return c
}

func dumpPostgres(t *testing.T, spec string) []byte {
	t.Helper()
	ctx := context.Background()
	st := mustOpen(t, spec).(*pgStore)
	c := adminConn(t, ctx)
	defer c.Close(ctx)
	var all bytes.Buffer
	for _, tbl := range []string{"runai_sync_meta", "runai_sync_entries", "runai_sync_locks"} {
		rows, err := c.Query(ctx, `SELECT t::text FROM `+st.table(tbl)+` t`)
		if err != nil {
			t.Fatal(err)
		}
		var row string
		if _, err := pgx.ForEachRow(rows, []any{&row}, func() error { all.WriteString(row + "\n"); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return all.Bytes()
}

// mustOpen opens spec and closes the store when the test ends.
func mustOpen(t *testing.T, spec string) Store {
	t.Helper()
	st, err := Open(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st == nil {
		t.Fatalf("Open(%q) = nil", spec)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// notes collects a store's notifications.
func notes(st Store) *noteLog {
	n := &noteLog{ch: make(chan string, 100)}
	st.(Notifier).SetNotify(func(m string) { n.ch <- m })
	return n
}

type noteLog struct{ ch chan string }

// all returns the notes so far.
func (n *noteLog) all() []string {
	var out []string
	for {
		select {
		case m := <-n.ch:
			out = append(out, m)
		default:
			return out
		}
	}
}

func key(name string) manifest.Key {
	return manifest.Key{Kind: manifest.KindCredential, Type: manifest.TypePassword, Scope: manifest.ScopeProject, ScopeID: "12", Name: name}
}

// testTenant is the Run:ai tenant of testScope, the scope of most tests.
const testTenant = "https://acme.run.ai"

var testScope = Scope{"runai": testTenant}

func ref(name string) Ref { return Ref{Tenant: testTenant, Key: key(name)} }

func entry(name, id string) Entry {
	return Entry{
		Tenant: testTenant, Key: key(name), Provider: "runai", ID: id,
		Fingerprints: map[string]string{"spec.password": "hmac-sha256:" + id},
		AppliedAt:    time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.UTC),
	}
}

func me(command string) Holder {
	host, _ := os.Hostname()
	return Holder{Host: host, PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Millisecond), Command: command}
}

func itoa(i int) string { return strconv.Itoa(i) }
