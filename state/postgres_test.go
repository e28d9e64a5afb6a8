package state

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func openPostgres(t *testing.T, spec string) *pgStore {
	t.Helper()
	return mustOpen(t, spec).(*pgStore)
}

// A holder whose connection dies releases the lock; its later writes fail
// instead of racing the next holder.
func TestPostgresDeadConnectionReleasesTheLock(t *testing.T) {
	ctx := context.Background()
	spec := postgresState(t)
	a, b := openPostgres(t, spec), openPostgres(t, spec)
	if _, err := a.Lock(ctx, testScope, me("a"), time.Second); err != nil {
		t.Fatal(err)
	}
	// The network goes away under a's lock session.
	a.mu.Lock()
	_ = a.lockConn.PgConn().Conn().Close()
	a.mu.Unlock()
	start := time.Now()
	unlock, err := b.Lock(ctx, testScope, me("b"), 10*time.Second)
	if err != nil {
		t.Fatalf("Lock after the holder's connection died: %v", err)
	}
	t.Logf("lock free %v after its session's connection died", time.Since(start).Round(time.Millisecond))
	defer unlock()
	if err := a.Put(ctx, entry("a", "1")); err == nil || !strings.Contains(err.Error(), "lock") {
		t.Fatalf("Put by the holder whose connection died: %v, want an error about the lock", err)
	}
	if err := b.Put(ctx, entry("b", "1")); err != nil {
		t.Fatal(err)
	}
}

// Two first uses of a new state at once create the tables once, with one
// salt.
func TestPostgresConcurrentFirstUse(t *testing.T) {
	ctx := context.Background()
	spec := postgresState(t)
	var wg sync.WaitGroup
	salts := make([][]byte, 6)
	for i := range salts {
		st := openPostgres(t, spec)
		wg.Go(func() {
			d, err := st.Load(ctx, testScope)
			if err != nil {
				t.Error(err)
				return
			}
			salts[i] = d.Salt
		})
	}
	wg.Wait()
	for i := range salts {
		if !bytes.Equal(salts[i], salts[0]) || len(salts[i]) != saltLen {
			t.Fatalf("Load %d got another salt", i)
		}
	}
}

// Two schemas of one database are two independent states, each with its
// own lock.
func TestPostgresSchemasAreIndependent(t *testing.T) {
	ctx := context.Background()
	s1, s2 := postgresState(t), postgresState(t)
	a, b := openPostgres(t, s1), openPostgres(t, s2)
	if _, err := a.Lock(ctx, testScope, me("a"), 0); err != nil {
		t.Fatal(err)
	}
	unlock, err := b.Lock(ctx, testScope, me("b"), 0)
	if err != nil {
		t.Fatalf("the lock of another schema: %v", err)
	}
	defer unlock()
	if err := a.Put(ctx, entry("only-in-a", "1")); err != nil {
		t.Fatal(err)
	}
	d, err := b.Load(ctx, testScope)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Entries) != 0 {
		t.Fatalf("schema %s sees %d entries of another", s2, len(d.Entries))
	}
}

// A session that holds the lock without a holder row (or with a row left
// by an earlier holder) is named as what PostgreSQL knows of it.
func TestPostgresHolderWithoutRow(t *testing.T) {
	ctx := context.Background()
	spec := postgresState(t)
	st := openPostgres(t, spec)
	if _, err := st.Load(ctx, testScope); err != nil { // creates the tables
		t.Fatal(err)
	}
	raw := adminConn(t, ctx)
	defer raw.Close(ctx)
	if _, err := raw.Exec(ctx, `INSERT INTO `+st.table("runai_sync_locks")+` VALUES ($1, 'old-host', 1, now(), '', 1, 'x')`, testTenant); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, pgClassApply, st.tenantLockKey(testTenant)); err != nil {
		t.Fatal(err)
	}
	_, err := st.Lock(ctx, testScope, me("x"), 0)
	var le *LockedError
	if !errors.As(err, &le) || !strings.Contains(le.Holder.Command, "PostgreSQL session") || le.Holder.Host == "old-host" {
		t.Fatalf("Lock: %v (holder %+v)", err, le)
	}
	was, err := st.ForceUnlock(ctx)
	if err != nil || len(was) != 1 {
		t.Fatalf("ForceUnlock: %v, %v", was, err)
	}
	if err := raw.Ping(ctx); err == nil {
		t.Fatal("ForceUnlock did not end the holding session")
	}
	unlock, err := st.Lock(ctx, testScope, me("x"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = unlock()
}

func TestPostgresConnectErrorShowsNoPassword(t *testing.T) {
	st, err := Open("postgres://runai:s3cr3t-pw@127.0.0.1:1/runai?sslmode=disable&connect_timeout=2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = st.Load(context.Background(), testScope)
	if err == nil {
		t.Fatal("Load from a closed port succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "postgres://127.0.0.1:1/runai") {
		t.Fatalf("error: %v", err)
	}
}
