package state

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultPath is the state file used when neither --state nor
// RUNAI_SYNC_STATE names one, relative to the working directory.
const DefaultPath = ".runai-sync/state.json"

// EnvState names the environment variable that chooses the state when
// --state is not given; EnvStateKey the one that keys the fingerprints
// (see NewFingerprinter).
const (
	EnvState    = "RUNAI_SYNC_STATE"
	EnvStateKey = "RUNAI_SYNC_STATE_KEY"
)

// Open chooses a backend from spec, the value of --state:
//
//	""                      RUNAI_SYNC_STATE (read with getenv), else DefaultPath
//	"none"                  no state: Open returns (nil, nil)
//	"postgres://…"          PostgreSQL (also "postgresql://…"); an optional
//	                        "schema" query parameter keeps several states in
//	                        one database, one schema each (default "public")
//	anything else           a file path
//
// Open does not touch the file system or the network: the first Load, Put or
// Lock does. getenv may be nil.
func Open(spec string, getenv func(string) string) (Store, error) {
	spec = fromEnv(spec, getenv)
	switch {
	case spec == "":
		return newFileStore(DefaultPath), nil
	case spec == "none":
		return nil, nil
	case isPostgres(spec):
		return newPostgresStore(spec)
	}
	if i := strings.Index(spec, "://"); i > 0 && !strings.ContainsAny(spec[:i], `/\.`) {
		return nil, fmt.Errorf("state %q: unknown scheme %q; use a file path, postgres://USER@HOST/DB, or none", spec[:i+3]+"…", spec[:i])
	}
	if strings.HasSuffix(spec, "/") || strings.HasSuffix(spec, string(os.PathSeparator)) {
		return nil, fmt.Errorf("state %q names a directory; give a file, e.g. %s", spec, filepath.Join(spec, "state.json"))
	}
	if fi, err := os.Stat(spec); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("state %q is a directory; give a file, e.g. %s", spec, filepath.Join(spec, "state.json"))
	}
	return newFileStore(spec), nil
}

// NetworkHosts returns the HOST:PORT of every server the state of spec (as
// Open takes it) would connect to: none for a file, the hosts of a
// postgres:// URL (its host, or the host= parameters, which override it;
// sockets left out). Callers check them against the hosts the pipeline
// allows before Open: the URL may come from a file a pull request changed.
func NetworkHosts(spec string, getenv func(string) string) ([]string, error) {
	spec = fromEnv(spec, getenv)
	if !isPostgres(spec) {
		return nil, nil
	}
	u, err := url.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("state: the PostgreSQL URL is not a URL")
	}
	q := u.Query()
	q.Del("schema")
	u.RawQuery = q.Encode()
	cfg, err := pgconn.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("state %s: the PostgreSQL URL is not accepted: %s", u.Scheme+"://"+u.Host+u.Path, scrub(err.Error(), u))
	}
	var hosts []string
	add := func(host string, port uint16) {
		// sslmode=prefer lists each host twice (TLS, then without).
		if hp := net.JoinHostPort(host, strconv.Itoa(int(port))); !strings.HasPrefix(host, "/") && !slices.Contains(hosts, hp) {
			hosts = append(hosts, hp)
		}
	}
	add(cfg.Host, cfg.Port)
	for _, f := range cfg.Fallbacks {
		add(f.Host, f.Port)
	}
	return hosts, nil
}

// fromEnv is spec, or RUNAI_SYNC_STATE (read with getenv) when spec is "".
func fromEnv(spec string, getenv func(string) string) string {
	if spec == "" && getenv != nil {
		return strings.TrimSpace(getenv(EnvState))
	}
	return spec
}

// isPostgres reports a postgres:// (or postgresql://) state.
func isPostgres(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}
