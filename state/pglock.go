package state

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lock implements Store with session-level advisory locks, one per tenant
// of the scope, polled with pg_try_advisory_lock on a connection of its own
// that stays open while they are held: when the holder dies, its session
// ends and the locks go with it. The locks are taken all at once or not at
// all (a run never waits while it holds one), so runs whose scopes overlap
// cannot deadlock. The holder rows name who holds them for the others'
// messages.
func (s *pgStore) Lock(ctx context.Context, scope Scope, me Holder, timeout time.Duration) (func() error, error) {
	if me.Since.IsZero() {
		me.Since = time.Now()
	}
	me.Command = Scrub(me.Command)
	tenants := scope.tenants()
	if len(tenants) == 0 {
		tenants = []string{""} // a run that names no tenant still excludes others like it
	}
	s.mu.Lock()
	if s.lockConn != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("state %s: this run already holds the lock", s.describe)
	}
	_, err := s.session(ctx) // the tables must exist for the holder rows
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	waiting := false
	for {
		busy, err := s.tryLocks(ctx, c, tenants)
		if err != nil {
			c.Close(context.Background())
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("state %s: taking the lock: %w", s.describe, err)
		}
		if busy == "" {
			return s.hold(ctx, c, tenants, me)
		}
		h, _, _, err := s.holder(ctx, c, busy)
		if err != nil {
			c.Close(context.Background())
			return nil, err
		}
		waited := time.Since(start)
		if waited >= timeout {
			c.Close(context.Background())
			return nil, &LockedError{Holder: h, Waited: waited}
		}
		if !waiting {
			s.say("state %s is locked by %s (tenant %s); waiting up to %v", s.describe, h, orNone(busy), roundWait(timeout-waited))
			waiting = true
		}
		t := time.NewTimer(min(lockPoll, timeout-waited))
		select {
		case <-ctx.Done():
			t.Stop()
			c.Close(context.Background())
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// tryLocks takes the locks of every tenant on c, or none: it returns the
// first tenant whose lock is busy ("" when all were taken), having released
// the ones it took before it.
func (s *pgStore) tryLocks(ctx context.Context, c *pgx.Conn, tenants []string) (string, error) {
	var taken []int32
	for _, t := range tenants {
		id := s.tenantLockKey(t)
		if slices.Contains(taken, id) {
			continue
		}
		var ok bool
		if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, pgClassApply, id).Scan(&ok); err != nil {
			return "", err
		}
		if !ok {
			for _, id := range taken {
				if _, err := c.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, pgClassApply, id); err != nil {
					return "", err
				}
			}
			return t, nil
		}
		taken = append(taken, id)
	}
	return "", nil
}

// hold records the holder once the advisory locks of tenants are taken on
// c, and makes c the store's session until unlock.
func (s *pgStore) hold(ctx context.Context, c *pgx.Conn, tenants []string, me Holder) (func() error, error) {
	token := newToken()
	b := &pgx.Batch{}
	for _, t := range tenants {
		b.Queue(`INSERT INTO `+s.table("runai_sync_locks")+` (tenant, host, pid, since, command, backend_pid, token)
			VALUES ($1, $2, $3, $4, $5, pg_backend_pid(), $6)
			ON CONFLICT (tenant) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, since = EXCLUDED.since,
				command = EXCLUDED.command, backend_pid = EXCLUDED.backend_pid, token = EXCLUDED.token`,
			t, me.Host, me.PID, me.Since, me.Command, token)
	}
	if err := c.SendBatch(ctx, b).Close(); err != nil {
		c.Close(context.Background())
		return nil, fmt.Errorf("state %s: recording the lock holder: %w", s.describe, err)
	}
	var ids []int32
	for _, t := range tenants {
		if id := s.tenantLockKey(t); !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	s.mu.Lock()
	s.lockConn, s.lockToken, s.lockIDs = c, token, ids
	s.mu.Unlock()
	return func() error { return s.unlock(c) }, nil
}

// unlock releases the locks held on c, if this store still holds them there.
func (s *pgStore) unlock(c *pgx.Conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lockConn != c {
		return nil
	}
	token, ids := s.lockToken, s.lockIDs
	s.lockConn, s.lockToken, s.lockIDs = nil, "", nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	defer c.Close(ctx)
	if c.IsClosed() {
		return fmt.Errorf("state %s: the connection holding the lock was lost during the run, and the lock with it", s.describe)
	}
	if _, err := c.Exec(ctx, `DELETE FROM `+s.table("runai_sync_locks")+` WHERE token = $1`, token); err != nil {
		return fmt.Errorf("state %s: releasing the lock: %w", s.describe, err)
	}
	for _, id := range ids {
		var ok bool
		if err := c.QueryRow(ctx, `SELECT pg_advisory_unlock($1, $2)`, pgClassApply, id).Scan(&ok); err != nil {
			return fmt.Errorf("state %s: releasing the lock: %w", s.describe, err)
		}
	}
	return nil
}

// lockQuery finds the backend holding the apply lock of this state.
const lockQuery = `SELECT pid FROM pg_locks
	WHERE locktype = 'advisory' AND granted
	AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND classid = $1::int4::oid AND objid = $2::int4::oid AND objsubid = 2
	LIMIT 1`

// lockBackend returns the pid of the backend holding the lock of tenant,
// or 0.
func (s *pgStore) lockBackend(ctx context.Context, c *pgx.Conn, tenant string) (int, error) {
	var pid int
	err := c.QueryRow(ctx, lockQuery, pgClassApply, s.tenantLockKey(tenant)).Scan(&pid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("state %s: looking for the lock holder: %w", s.describe, err)
	}
	return pid, nil
}

// holder names who holds the lock of tenant: its holder row, when it
// belongs to the backend that holds the lock now; else what is known of that
// backend. It also returns the backend holding the lock (0 if none) and the
// backend the row names (0 if there is no row).
func (s *pgStore) holder(ctx context.Context, c *pgx.Conn, tenant string) (h Holder, backend, rowBackend int, err error) {
	if backend, err = s.lockBackend(ctx, c, tenant); err != nil {
		return Holder{}, 0, 0, err
	}
	err = c.QueryRow(ctx, `SELECT host, pid, since, command, backend_pid FROM `+s.table("runai_sync_locks")+` WHERE tenant = $1`, tenant).
		Scan(&h.Host, &h.PID, &h.Since, &h.Command, &rowBackend)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		rowBackend = 0
	case err != nil:
		return Holder{}, 0, 0, fmt.Errorf("state %s: reading the lock holder: %w", s.describe, err)
	case backend == 0 || rowBackend == backend:
		return h, backend, rowBackend, nil
	}
	h = Holder{Host: "unknown host", Command: "PostgreSQL session " + strconv.Itoa(backend) + ", which has not said who it is"}
	_ = c.QueryRow(ctx, `SELECT coalesce(client_addr::text, 'local socket'), coalesce(backend_start, now()) FROM pg_stat_activity WHERE pid = $1`, backend).
		Scan(&h.Host, &h.Since)
	return h, backend, rowBackend, nil
}

// ForceUnlock implements Store: for every tenant of the state (those with
// entries or a holder row, and the run of no tenant) it ends the PostgreSQL
// session that holds its lock (pg_terminate_backend, which needs the same
// role, a superuser or pg_signal_backend) and clears the holder row.
func (s *pgStore) ForceUnlock(ctx context.Context) ([]Holder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.Query(ctx, `SELECT tenant FROM `+s.table("runai_sync_locks")+` UNION SELECT DISTINCT tenant FROM `+s.table("runai_sync_entries")+` UNION SELECT '' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("state %s: listing the tenants: %w", s.describe, err)
	}
	tenants, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("state %s: listing the tenants: %w", s.describe, err)
	}
	var was []Holder
	ended := map[int]bool{}
	for _, t := range tenants {
		h, backend, rowBackend, err := s.holder(ctx, c, t)
		if err != nil {
			return was, err
		}
		if backend != 0 && !ended[backend] {
			var ok bool
			if err := c.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, backend).Scan(&ok); err != nil || !ok {
				return was, fmt.Errorf("state %s: could not end the PostgreSQL session %d that holds the lock (%v); a superuser or a member of pg_signal_backend can: SELECT pg_terminate_backend(%d)", s.describe, backend, err, backend)
			}
			// Wait for the session to end, so that the next Lock finds it free.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				if now, err := s.lockBackend(ctx, c, t); err != nil || now != backend {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			ended[backend] = true
			was = append(was, h)
		}
		// Clear the row of the session ended (or of one long gone), never
		// the row of a holder that took the lock meanwhile.
		if rowBackend != 0 {
			if _, err := c.Exec(ctx, `DELETE FROM `+s.table("runai_sync_locks")+` WHERE tenant = $1 AND backend_pid = $2`, t, rowBackend); err != nil {
				return was, fmt.Errorf("state %s: clearing the lock holder: %w", s.describe, err)
			}
		}
	}
	return was, nil
}
