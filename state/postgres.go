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

	"github.com/runai-sync/runai-sync/manifest"
)

// Advisory lock classes (the first key of the two-key form); the second key
// is derived from the schema, so each state in a database has its own.
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
//	runai_sync_meta         one row: format version and salt
//	runai_sync_entries      one row per entry: key (canonical JSON text), entry (jsonb), applied_at
//	runai_sync_lock_holder  one row while the lock is held: who holds it
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
	lockID   int32 // second advisory lock key
	notify   atomic.Pointer[func(string)]

	mu        sync.Mutex
	conn      *pgx.Conn // reads and writes while no lock is held
	lockConn  *pgx.Conn // the session holding the apply lock
	lockToken string
	salt      []byte // set once the tables exist
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
	q := u.Query()
	schema := q.Get("schema")
	q.Del("schema")
	if schema != "" && !schemaName.MatchString(schema) {
		return nil, fmt.Errorf("state: schema %q in the PostgreSQL URL is not a plain lower-case name ([a-z_][a-z0-9_]*)", schema)
	}
	describe := u.Scheme + "://" + u.Host + u.Path
	if schema != "" {
		describe += "?schema=" + schema
	} else {
		schema = "public"
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("state %s: the PostgreSQL URL is not accepted: %s", describe, scrub(err.Error(), u))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	h := fnv.New32a()
	h.Write([]byte(schema))
	return &pgStore{describe: describe, cfg: cfg, schema: schema, lockID: int32(h.Sum32() & 0x7fffffff)}, nil
}

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

// prepare creates the tables and the salt if they are missing, and returns
// the salt.
func (s *pgStore) prepare(ctx context.Context, c *pgx.Conn) ([]byte, error) {
	if salt, err := s.readSalt(ctx, c); err != nil || salt != nil {
		return salt, err
	}
	newS, err := newSalt()
	if err != nil {
		return nil, err
	}
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
				key text PRIMARY KEY,
				entry jsonb NOT NULL,
				applied_at timestamptz NOT NULL)`,
			`CREATE TABLE IF NOT EXISTS ` + s.table("runai_sync_lock_holder") + ` (
				id int PRIMARY KEY CHECK (id = 1),
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
		_, err := tx.Exec(ctx, `INSERT INTO `+s.table("runai_sync_meta")+` (id, format, salt) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`, formatVersion, newS)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("state %s: creating the state tables in schema %s (this needs the CREATE privilege once): %w", s.describe, s.schema, err)
	}
	salt, err := s.readSalt(ctx, c)
	if err == nil && salt == nil {
		err = fmt.Errorf("state %s: the salt is missing after creating it", s.describe)
	}
	return salt, err
}

// readSalt returns the salt, or nil when the tables do not exist yet.
func (s *pgStore) readSalt(ctx context.Context, c *pgx.Conn) ([]byte, error) {
	var exists bool
	if err := c.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL`,
		s.table("runai_sync_meta"), s.table("runai_sync_entries"), s.table("runai_sync_lock_holder")).Scan(&exists); err != nil {
		return nil, fmt.Errorf("state %s: %w", s.describe, err)
	}
	if !exists {
		return nil, nil
	}
	var format int
	var salt []byte
	err := c.QueryRow(ctx, `SELECT format, salt FROM `+s.table("runai_sync_meta")+` WHERE id = 1`).Scan(&format, &salt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("state %s: reading the salt: %w", s.describe, err)
	case format > formatVersion:
		return nil, fmt.Errorf("state %s has format version %d, written by a newer runai-sync; upgrade runai-sync", s.describe, format)
	}
	return salt, nil
}

// Load implements Store. The first Load of a new state creates its tables
// and salt, so that every machine fingerprints with the same salt from the
// start.
func (s *pgStore) Load(ctx context.Context) (*Data, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.Query(ctx, `SELECT key, entry FROM `+s.table("runai_sync_entries"))
	if err != nil {
		return nil, fmt.Errorf("state %s: reading entries: %w", s.describe, err)
	}
	d := &Data{Salt: append([]byte(nil), s.salt...), Entries: map[manifest.Key]Entry{}}
	var key string
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &raw}, func() error {
		var e Entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("entry %s is unreadable: %w", key, err)
		}
		d.Entries[e.Key] = e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state %s: reading entries: %w", s.describe, err)
	}
	return d, nil
}

// Put implements Store: all entries in one transaction. An entry whose
// AppliedAt is zero gets the current time.
func (s *pgStore) Put(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return ctx.Err()
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
			b.Queue(`INSERT INTO `+s.table("runai_sync_entries")+` (key, entry, applied_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET entry = EXCLUDED.entry, applied_at = EXCLUDED.applied_at`,
				string(key), string(entry), e.AppliedAt)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// Remove implements Store, in one transaction.
func (s *pgStore) Remove(ctx context.Context, keys ...manifest.Key) error {
	if len(keys) == 0 {
		return ctx.Err()
	}
	ks := make([]string, len(keys))
	for i, k := range keys {
		b, err := json.Marshal(k)
		if err != nil {
			return err
		}
		ks[i] = string(b)
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM `+s.table("runai_sync_entries")+` WHERE key = ANY($1)`, ks)
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
	s.conn, s.lockConn, s.lockToken = nil, nil, ""
	return errors.Join(errs...)
}
