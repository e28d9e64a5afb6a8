package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Advisory lock classes (the first key of the two-key form); the second key
// is derived from the schema (and for the apply lock, the tenant), so each
// state in a database, and each tenant of a state, has its own.
const (
	pgClassApply  int32 = 0x52534c4b // "RSLK": the apply lock
	pgClassSchema int32 = 0x52534348 // "RSCH": creating the tables
)

// pgConnectTimeout bounds a connection attempt when the URL sets no
// connect_timeout.
const pgConnectTimeout = 30 * time.Second

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// pgStore is the PostgreSQL backend. In its schema (the "schema" query
// parameter of the URL, default public) it keeps three tables:
//
//	runai_sync_meta     one row: format version and salt
//	runai_sync_entries  one row per entry: tenant, key (canonical JSON text), entry (jsonb), applied_at
//	runai_sync_locks    one row per tenant whose lock is held: who holds it
//
// Tables of format version 1 (entries keyed by key alone, one lock for the
// schema) are upgraded on first use: their entries become unclaimed
// (an empty tenant), and runai_sync_lock_holder is left unused.
//
// The tables and the salt are made on first use by whichever run comes
// first, under a transaction-level advisory lock so that two first uses do
// not race. While this store holds the apply lock, every read and write goes
// through the session that holds it: if that session dies (or is ended by
// runai-sync state unlock), the lock is gone and so are this run's writes,
// which then fail instead of racing another run. Session-level advisory
// locks need a real session: connect directly or through a pooler in session
// mode, never in transaction mode.
type pgStore struct {
	describe string
	cfg      *pgx.ConnConfig
	schema   string
	lockID   int32 // second advisory lock key of the schema
	notify   atomic.Pointer[func(string)]

	mu        sync.Mutex
	conn      *pgx.Conn // reads and writes while no lock is held
	lockConn  *pgx.Conn // the session holding the apply locks
	lockToken string
	lockIDs   []int32 // the apply locks lockConn holds
	salt      []byte  // set once the tables exist
}

func newPostgresStore(dsn string) (*pgStore, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("state: the PostgreSQL URL is not valid (%v); write it as postgres://USER@HOST:PORT/DB, percent-encoding special characters", err)
	}
	describe := u.Scheme + "://" + u.Host + u.Path
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("state %s: the query of the PostgreSQL URL is malformed (%s); write it as ?schema=NAME&sslmode=…, percent-encoding special characters", describe, scrub(err.Error(), u))
	}
	schemas, given := q["schema"]
	q.Del("schema")
	schema := "public"
	switch {
	case !given:
	case len(schemas) > 1:
		return nil, fmt.Errorf("state %s: the PostgreSQL URL gives schema %d times (%q); give it once", describe, len(schemas), schemas)
	case !schemaName.MatchString(schemas[0]):
		return nil, fmt.Errorf("state %s: schema %q in the PostgreSQL URL is not a plain lower-case name ([a-z_][a-z0-9_]*, at most 63 characters); fix ?schema=, or leave it out for public", describe, schemas[0])
	default:
		schema = schemas[0]
		describe += "?schema=" + schema
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("state %s: the PostgreSQL URL is not accepted: %s", describe, scrub(err.Error(), u))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	return &pgStore{describe: describe, cfg: cfg, schema: schema, lockID: lockKey(schema)}, nil
}

// lockKey derives a second advisory lock key from parts.
func lockKey(parts ...string) int32 {
	h := fnv.New32a()
	h.Write([]byte(strings.Join(parts, "\x00")))
	return int32(h.Sum32() & 0x7fffffff)
}

// tenantLockKey is the key of a tenant's apply lock. Two tenants whose keys
// collide share a lock: they wait for each other, nothing worse.
func (s *pgStore) tenantLockKey(tenant string) int32 { return lockKey(s.schema, tenant) }

// scrub removes the passwords of u from s, whatever a library left in it.
func scrub(s string, u *url.URL) string {
	var secrets []string
	if p, ok := u.User.Password(); ok && p != "" {
		secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
	}
	for k, vs := range u.Query() {
		if strings.Contains(strings.ToLower(k), "password") {
			secrets = append(secrets, vs...)
		}
	}
	for _, p := range secrets {
		if p != "" {
			s = strings.ReplaceAll(s, p, "xxxxx")
		}
	}
	return s
}

// Describe implements Store: scheme, host, database and schema; never the
// user's password or other parameters.
func (s *pgStore) Describe() string { return s.describe }

// SetNotify implements Notifier.
func (s *pgStore) SetNotify(f func(string)) { s.notify.Store(&f) }

func (s *pgStore) say(format string, args ...any) {
	if f := s.notify.Load(); f != nil && *f != nil {
		(*f)(fmt.Sprintf(format, args...))
	}
}

func (s *pgStore) table(name string) string {
	return pgx.Identifier{s.schema, name}.Sanitize()
}

func (s *pgStore) connect(ctx context.Context) (*pgx.Conn, error) {
	c, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return nil, fmt.Errorf("state %s: cannot connect to PostgreSQL (check --state / RUNAI_SYNC_STATE, and PGPASSWORD or ~/.pgpass): %w", s.describe, err)
	}
	return c, nil
}

// session returns the connection to use, with the tables ready: the one
// holding the lock while it is held, else a connection of its own, made on
// first use and made again if it was lost. Called with s.mu held.
func (s *pgStore) session(ctx context.Context) (*pgx.Conn, error) {
	c := s.lockConn
	if c != nil {
		if c.IsClosed() {
			return nil, fmt.Errorf("state %s: the connection holding the lock was lost, and the lock with it; stopping so that two runs never write at once", s.describe)
		}
	} else {
		if s.conn == nil || s.conn.IsClosed() {
			var err error
			if s.conn, err = s.connect(ctx); err != nil {
				return nil, err
			}
		}
		c = s.conn
	}
	if s.salt == nil {
		salt, err := s.prepare(ctx, c)
		if err != nil {
			return nil, err
		}
		s.salt = salt
	}
	return c, nil
}

// prepare creates the tables and the salt if they are missing, upgrades
// tables of an older format, and returns the salt.
func (s *pgStore) prepare(ctx context.Context, c *pgx.Conn) ([]byte, error) {
	if salt, format, err := s.readSalt(ctx, c); err != nil || (salt != nil && format == formatVersion) {
		return salt, err
	}
	newS, err := newSalt()
	if err != nil {
		return nil, err
	}
	upgraded := false
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, pgClassSchema, s.lockID); err != nil {
			return err
		}
		stmts := []string{
			`CREATE TABLE IF NOT EXISTS ` + s.table("runai_sync_meta") + ` (
				id int PRIMARY KEY CHECK (id = 1),
				format int NOT NULL,
				salt bytea NOT NULL,
				created_at timestamptz NOT NULL DEFAULT now())`,
			`CREATE TABLE IF NOT EXISTS ` + s.table("runai_sync_entries") + ` (
				tenant text NOT NULL DEFAULT '',
				key text NOT NULL,
				entry jsonb NOT NULL,
				applied_at timestamptz NOT NULL,
				PRIMARY KEY (tenant, key))`,
			`CREATE TABLE IF NOT EXISTS ` + s.table("runai_sync_locks") + ` (
				tenant text PRIMARY KEY,
				host text NOT NULL,
				pid int NOT NULL,
				since timestamptz NOT NULL,
				command text NOT NULL,
				backend_pid int NOT NULL,
				token text NOT NULL)`,
		}
		if s.schema != "public" {
			stmts = append([]string{`CREATE SCHEMA IF NOT EXISTS ` + pgx.Identifier{s.schema}.Sanitize()}, stmts...)
		}
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		var err error
		upgraded, err = s.upgrade(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO `+s.table("runai_sync_meta")+` (id, format, salt) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`, formatVersion, newS)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("state %s: creating the state tables in schema %s (this needs the CREATE privilege once): %w", s.describe, s.schema, err)
	}
	if upgraded {
		s.say("state %s: upgraded to format version %d (entries keyed by tenant); earlier entries are claimed by the tenant whose live objects have their ids", s.describe, formatVersion)
	}
	salt, format, err := s.readSalt(ctx, c)
	switch {
	case err != nil:
		return nil, err
	case salt == nil:
		return nil, fmt.Errorf("state %s: the salt is missing after creating it", s.describe)
	case format != formatVersion:
		return nil, fmt.Errorf("state %s has format version %d after upgrading it", s.describe, format)
	}
	return salt, nil
}

// upgrade turns tables of format version 1 into version 2, in tx: the
// entries get a tenant column (their tenant ”, unclaimed) and are keyed by
// tenant and key. It refuses while an older runai-sync holds the lock of
// version 1, which writes by key alone.
func (s *pgStore) upgrade(ctx context.Context, tx pgx.Tx) (bool, error) {
	var format int
	err := tx.QueryRow(ctx, `SELECT format FROM `+s.table("runai_sync_meta")+` WHERE id = 1`).Scan(&format)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && format >= formatVersion) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var free bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1, $2)`, pgClassApply, s.lockID).Scan(&free); err != nil {
		return false, err
	}
	if !free {
		return false, errors.New("an apply of an older runai-sync holds the lock of this state; let it finish, then run again to upgrade the state")
	}
	entries := s.table("runai_sync_entries")
	for _, q := range []string{
		`ALTER TABLE ` + entries + ` ADD COLUMN IF NOT EXISTS tenant text NOT NULL DEFAULT ''`,
		`ALTER TABLE ` + entries + ` DROP CONSTRAINT IF EXISTS runai_sync_entries_pkey`,
		`ALTER TABLE ` + entries + ` ADD PRIMARY KEY (tenant, key)`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return false, err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE `+s.table("runai_sync_meta")+` SET format = $1 WHERE id = 1`, formatVersion)
	return err == nil, err
}

// readSalt returns the salt and the format version, or a nil salt when the
// tables do not exist yet (or not all of this version's).
func (s *pgStore) readSalt(ctx context.Context, c *pgx.Conn) ([]byte, int, error) {
	var exists bool
	if err := c.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL`,
		s.table("runai_sync_meta"), s.table("runai_sync_entries"), s.table("runai_sync_locks")).Scan(&exists); err != nil {
		return nil, 0, fmt.Errorf("state %s: %w", s.describe, err)
	}
	if !exists {
		return nil, 0, nil
	}
	var format int
	var salt []byte
	err := c.QueryRow(ctx, `SELECT format, salt FROM `+s.table("runai_sync_meta")+` WHERE id = 1`).Scan(&format, &salt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, 0, nil
	case err != nil:
		return nil, 0, fmt.Errorf("state %s: reading the salt: %w", s.describe, err)
	case format > formatVersion:
		return nil, 0, fmt.Errorf("state %s has format version %d, written by a newer runai-sync; upgrade runai-sync", s.describe, format)
	}
	return salt, format, nil
}

// Load implements Store. The first Load of a new state creates its tables
// and salt, so that every machine fingerprints with the same salt from the
// start.
func (s *pgStore) Load(ctx context.Context, scope Scope) (*Data, error) {
	salt, rs, err := s.read(ctx, append(scope.tenants(), ""))
	if err != nil {
		return nil, err
	}
	return rs.data(salt, scope), nil
}

// List implements Store.
func (s *pgStore) List(ctx context.Context) ([]Entry, error) {
	_, rs, err := s.read(ctx, nil)
	if err != nil {
		return nil, err
	}
	return sortedRecords(rs), nil
}

// read reads the entries of tenants (all of them when tenants is nil).
func (s *pgStore) read(ctx context.Context, tenants []string) ([]byte, records, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.session(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows, err := c.Query(ctx, `SELECT tenant, key, entry FROM `+s.table("runai_sync_entries")+` WHERE $1::text[] IS NULL OR tenant = ANY($1)`, tenants)
	if err != nil {
		return nil, nil, fmt.Errorf("state %s: reading entries: %w", s.describe, err)
	}
	rs := records{}
	var tenant, key string
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&tenant, &key, &raw}, func() error {
		var e Entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("entry %s is unreadable: %w", key, err)
		}
		e.Tenant = tenant
		rs[e.Ref()] = e
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("state %s: reading entries: %w", s.describe, err)
	}
	return append([]byte(nil), s.salt...), rs, nil
}

// Put implements Store: all entries in one transaction. An entry whose
// AppliedAt is zero gets the current time.
func (s *pgStore) Put(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return ctx.Err()
	}
	if err := checkTenants(entries); err != nil {
		return err
	}
	now := time.Now().UTC()
	return s.write(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, e := range entries {
			if e.AppliedAt.IsZero() {
				e.AppliedAt = now
			}
			key, err := json.Marshal(e.Key)
			if err != nil {
				return err
			}
			entry, err := json.Marshal(e)
			if err != nil {
				return err
			}
			b.Queue(`INSERT INTO `+s.table("runai_sync_entries")+` (tenant, key, entry, applied_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (tenant, key) DO UPDATE SET entry = EXCLUDED.entry, applied_at = EXCLUDED.applied_at`,
				e.Tenant, string(key), string(entry), e.AppliedAt)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// Remove implements Store, in one transaction.
func (s *pgStore) Remove(ctx context.Context, refs ...Ref) error {
	if len(refs) == 0 {
		return ctx.Err()
	}
	ts, ks := make([]string, len(refs)), make([]string, len(refs))
	for i, r := range refs {
		b, err := json.Marshal(r.Key)
		if err != nil {
			return err
		}
		ts[i], ks[i] = r.Tenant, string(b)
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM `+s.table("runai_sync_entries")+` WHERE (tenant, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, ts, ks)
		return err
	})
}

func (s *pgStore) write(ctx context.Context, f func(pgx.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.session(ctx)
	if err != nil {
		return err
	}
	if err := pgx.BeginFunc(ctx, c, f); err != nil {
		if s.lockConn != nil && s.lockConn.IsClosed() {
			return fmt.Errorf("state %s: the connection holding the lock was lost, and the lock with it (%v); stopping so that two runs never write at once", s.describe, err)
		}
		return fmt.Errorf("state %s: saving: %w", s.describe, err)
	}
	return nil
}

// Close implements Store: it closes the connections, which releases the
// lock if this store still holds it.
func (s *pgStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, c := range []*pgx.Conn{s.conn, s.lockConn} {
		if c != nil {
			errs = append(errs, c.Close(ctx))
		}
	}
	s.conn, s.lockConn, s.lockToken, s.lockIDs = nil, nil, "", nil
	return errors.Join(errs...)
}
