package state

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// Each tenant has its own lock in PostgreSQL: runs for two tenants hold
// their locks at once; a run whose scope takes in a held tenant waits, and
// takes none of its locks meanwhile. The holder's recorded command line
// never shows a password.
func TestPostgresLocksPerTenant(t *testing.T) {
	ctx := context.Background()
	spec := postgresState(t)
	a, b, both := openPostgres(t, spec), openPostgres(t, spec), openPostgres(t, spec)
	holder := me("runai-sync apply --state postgres://runai:s3cr3t-pw@db/x -f a/")
	unlockA, err := a.Lock(ctx, testScope, holder, 0)
	if err != nil {
		t.Fatal(err)
	}
	unlockB, err := b.Lock(ctx, otherScope, me("b"), 0)
	if err != nil {
		t.Fatalf("tenant B waited for tenant A: %v", err)
	}
	_, err = both.Lock(ctx, Scope{"runai": otherTenant, "seqera": testTenant}, me("both"), 300*time.Millisecond)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("a scope that takes in held tenants got its lock: %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(le.Holder.Command, "runai:xxxxx@db") {
		t.Fatalf("LockedError: %v", err)
	}
	if err := unlockB(); err != nil {
		t.Fatal(err)
	}
	// B is free now, but A is still held: "both" must not keep B's lock
	// while it waits for A's.
	_, err = both.Lock(ctx, Scope{"runai": otherTenant, "seqera": testTenant}, me("both"), 300*time.Millisecond)
	if !errors.As(err, &le) || !strings.Contains(le.Holder.Command, "runai:xxxxx@db") {
		t.Fatalf("Lock of A and B while A is held: %v", err)
	}
	unlockB, err = b.Lock(ctx, otherScope, me("b again"), 0)
	if err != nil {
		t.Fatalf("a waiting run kept tenant B's lock: %v", err)
	}
	if err := b.Put(ctx, inTenant(entry("x", "b-1"), otherTenant)); err != nil {
		t.Fatal(err)
	}
	c := adminConn(t, ctx)
	defer c.Close(ctx)
	var stored string
	if err := c.QueryRow(ctx, `SELECT string_agg(command, ' ') FROM `+a.table("runai_sync_locks")).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "s3cr3t") {
		t.Fatalf("the recorded command line holds the password: %s", stored)
	}
	was, err := openPostgres(t, spec).ForceUnlock(ctx)
	if err != nil || len(was) != 2 {
		t.Fatalf("ForceUnlock of two tenants' locks: %v, %v", was, err)
	}
	for _, u := range []func() error{unlockA, unlockB} {
		if err := u(); err == nil {
			t.Error("unlock after ForceUnlock says nothing of the lost lock")
		}
	}
	unlock, err := both.Lock(ctx, Scope{"runai": otherTenant, "seqera": testTenant}, me("both"), 5*time.Second)
	if err != nil {
		t.Fatalf("Lock after ForceUnlock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}

// Tables of format version 1 are upgraded on first use: their entries stay,
// unclaimed; an older runai-sync holding the old lock defers the upgrade.
func TestPostgresUpgradeKeepsEntries(t *testing.T) {
	ctx := context.Background()
	spec := postgresState(t)
	st := openPostgres(t, spec)
	c := adminConn(t, ctx)
	defer c.Close(ctx)
	old := entry("old", "1")
	old.Tenant = ""
	for _, q := range []string{
		`CREATE SCHEMA ` + pgx.Identifier{st.schema}.Sanitize(),
		`CREATE TABLE ` + st.table("runai_sync_meta") + ` (id int PRIMARY KEY CHECK (id = 1), format int NOT NULL, salt bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
		`CREATE TABLE ` + st.table("runai_sync_entries") + ` (key text PRIMARY KEY, entry jsonb NOT NULL, applied_at timestamptz NOT NULL)`,
		`CREATE TABLE ` + st.table("runai_sync_lock_holder") + ` (id int PRIMARY KEY CHECK (id = 1), host text NOT NULL, pid int NOT NULL, since timestamptz NOT NULL, command text NOT NULL, backend_pid int NOT NULL, token text NOT NULL)`,
		`INSERT INTO ` + st.table("runai_sync_meta") + ` (id, format, salt) VALUES (1, 1, 'salt')`,
		`INSERT INTO ` + st.table("runai_sync_entries") + ` VALUES ('` + mustJSON(t, old.Key) + `', '` + mustJSON(t, old) + `', now())`,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// An older runai-sync applies: the upgrade waits for it.
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, pgClassApply, st.lockID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, testScope); err == nil || !strings.Contains(err.Error(), "older runai-sync holds the lock") {
		t.Fatalf("Load while an older runai-sync holds the lock: %v", err)
	}
	if _, err := c.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, pgClassApply, st.lockID); err != nil {
		t.Fatal(err)
	}
	st = openPostgres(t, spec)
	d, err := st.Load(ctx, testScope)
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Salt) != "salt" || len(d.Entries) != 0 {
		t.Fatalf("upgraded: salt %q, scope's entries %v", d.Salt, d.Sorted())
	}
	if diff := cmp.Diff(old, d.Unclaimed[old.Key]); diff != "" {
		t.Fatalf("unclaimed (-want +got):\n%s", diff)
	}
	// The same key now holds one entry per tenant.
	if err := st.Put(ctx, entry("old", "2"), inTenant(entry("old", "3"), otherTenant)); err != nil {
		t.Fatal(err)
	}
	all, err := st.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Entry{old, entry("old", "2"), inTenant(entry("old", "3"), otherTenant)}, all); diff != "" {
		t.Fatalf("after the upgrade (-want +got):\n%s", diff)
	}
	var format int
	if err := c.QueryRow(ctx, `SELECT format FROM `+st.table("runai_sync_meta")).Scan(&format); err != nil || format != formatVersion {
		t.Fatalf("format after the upgrade: %d, %v", format, err)
	}
}
