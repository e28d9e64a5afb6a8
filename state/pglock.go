package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lock implements Store with a session-level advisory lock, polled with
// pg_try_advisory_lock on a connection of its own that stays open while the
// lock is held: when the holder dies, its session ends and the lock goes
// with it. The holder row names who holds it for the others' messages.
func (s *pgStore) Lock(ctx context.Context, me Holder, timeout time.Duration) (func() error, error) {
	if me.Since.IsZero() {
		me.Since = time.Now()
	}
	s.mu.Lock()
	if s.lockConn != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("state %s: this run already holds the lock", s.describe)
	}
	_, err := s.session(ctx) // the tables must exist for the holder row
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
		var ok bool
		if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, pgClassApply, s.lockID).Scan(&ok); err != nil {
			c.Close(context.Background())
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("state %s: taking the lock: %w", s.describe, err)
		}
		if ok {
			return s.hold(ctx, c, me)
		}
		h, _, _, err := s.holder(ctx, c)
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
			s.say("state %s is locked by %s; waiting up to %v", s.describe, h, roundWait(timeout-waited))
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

// hold records the holder once the advisory lock is taken on c, and makes c
// the store's session until unlock.
func (s *pgStore) hold(ctx context.Context, c *pgx.Conn, me Holder) (func() error, error) {
	token := newToken()
	_, err := c.Exec(ctx, `INSERT INTO `+s.table("runai_sync_lock_holder")+` (id, host, pid, since, command, backend_pid, token)
		VALUES (1, $1, $2, $3, $4, pg_backend_pid(), $5)
		ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, since = EXCLUDED.since,
			command = EXCLUDED.command, backend_pid = EXCLUDED.backend_pid, token = EXCLUDED.token`,
		me.Host, me.PID, me.Since, me.Command, token)
	if err != nil {
		c.Close(context.Background())
		return nil, fmt.Errorf("state %s: recording the lock holder: %w", s.describe, err)
	}
	s.mu.Lock()
	s.lockConn, s.lockToken = c, token
	s.mu.Unlock()
	return func() error { return s.unlock(c) }, nil
}

// unlock releases the lock held on c, if this store still holds it there.
func (s *pgStore) unlock(c *pgx.Conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lockConn != c {
		return nil
	}
	token := s.lockToken
	s.lockConn, s.lockToken = nil, ""
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	defer c.Close(ctx)
	if c.IsClosed() {
		return fmt.Errorf("state %s: the connection holding the lock was lost during the run, and the lock with it", s.describe)
	}
	if _, err := c.Exec(ctx, `DELETE FROM `+s.table("runai_sync_lock_holder")+` WHERE token = $1`, token); err != nil {
		return fmt.Errorf("state %s: releasing the lock: %w", s.describe, err)
	}
	var ok bool
	if err := c.QueryRow(ctx, `SELECT pg_advisory_unlock($1, $2)`, pgClassApply, s.lockID).Scan(&ok); err != nil {
		return fmt.Errorf("state %s: releasing the lock: %w", s.describe, err)
	}
	return nil
}

// lockQuery finds the backend holding the apply lock of this state.
const lockQuery = `SELECT pid FROM pg_locks
	WHERE locktype = 'advisory' AND granted
	AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND classid = $1::int4::oid AND objid = $2::int4::oid AND objsubid = 2
	LIMIT 1`

// lockBackend returns the pid of the backend holding the lock, or 0.
func (s *pgStore) lockBackend(ctx context.Context, c *pgx.Conn) (int, error) {
	var pid int
	err := c.QueryRow(ctx, lockQuery, pgClassApply, s.lockID).Scan(&pid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("state %s: looking for the lock holder: %w", s.describe, err)
	}
	return pid, nil
}

// holder names who holds the lock: the holder row, when it belongs to the
// backend that holds the lock now; else what is known of that backend. It
// also returns the backend holding the lock (0 if none) and the backend the
// row names (0 if there is no row).
func (s *pgStore) holder(ctx context.Context, c *pgx.Conn) (h Holder, backend, rowBackend int, err error) {
	if backend, err = s.lockBackend(ctx, c); err != nil {
		return Holder{}, 0, 0, err
	}
	err = c.QueryRow(ctx, `SELECT host, pid, since, command, backend_pid FROM `+s.table("runai_sync_lock_holder")+` WHERE id = 1`).
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

// ForceUnlock implements Store: it ends the PostgreSQL session that holds
// the lock (pg_terminate_backend, which needs the same role, a superuser or
// pg_signal_backend) and clears the holder row.
func (s *pgStore) ForceUnlock(ctx context.Context) (*Holder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	h, backend, rowBackend, err := s.holder(ctx, c)
	if err != nil {
		return nil, err
	}
	var was *Holder
	if backend != 0 {
		var ok bool
		if err := c.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, backend).Scan(&ok); err != nil || !ok {
			return nil, fmt.Errorf("state %s: could not end the PostgreSQL session %d that holds the lock (%v); a superuser or a member of pg_signal_backend can: SELECT pg_terminate_backend(%d)", s.describe, backend, err, backend)
		}
		// Wait for the session to end, so that the next Lock finds it free.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			if now, err := s.lockBackend(ctx, c); err != nil || now != backend {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		was = &h
	}
	// Clear the row of the session ended (or of one long gone), never the
	// row of a holder that took the lock meanwhile.
	if rowBackend != 0 {
		if _, err := c.Exec(ctx, `DELETE FROM `+s.table("runai_sync_lock_holder")+` WHERE backend_pid = $1`, rowBackend); err != nil {
			return was, fmt.Errorf("state %s: clearing the lock holder: %w", s.describe, err)
		}
	}
	return was, nil
}
