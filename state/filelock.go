package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// lockPoll is how often a waiting Lock looks at the lock file again.
const lockPoll = 200 * time.Millisecond

// lockRecord is the content of the lock file (state.json.lock): the holder,
// a token only the holder knows (so that it removes the lock only while it
// is still its own), and what tells, on the holder's machine, whether the
// holder still runs.
type lockRecord struct {
	Holder
	Token string `json:"token"`
	// BootID is the kernel's boot id: a lock taken before the machine
	// restarted is stale.
	BootID string `json:"bootId,omitempty"`
	// PIDNamespace names the pid namespace the pid belongs to; in another
	// namespace (another container with the same host name) the pid means
	// nothing, so the holder is never judged there.
	PIDNamespace string `json:"pidNamespace,omitempty"`
	// StartTicks is when the holder's process started, in clock ticks since
	// boot: a live pid that started at another time is another process.
	StartTicks uint64 `json:"startTicks,omitempty"`
}

// fileLock is a lock this store holds.
type fileLock struct {
	token string
}

// heldTokens holds the tokens of the locks held in this process, to tell
// a lock of this very process from one left by an earlier process that had
// the same pid.
var heldTokens sync.Map

// Lock implements Store. The lock is a file created atomically and only if
// absent; while another holder has it, Lock polls until timeout. A holder on
// this host whose process is gone (or whose host restarted) is stale: its
// lock is taken over, and the notifier says so. A holder on another host is
// never assumed dead. One lock covers every tenant of the file: runs for
// different tenants sharing a file wait for each other.
func (s *fileStore) Lock(ctx context.Context, _ Scope, me Holder, timeout time.Duration) (func() error, error) {
	if me.Since.IsZero() {
		me.Since = time.Now()
	}
	me.Command = Scrub(me.Command)
	s.mu.Lock()
	held := s.held != nil
	s.mu.Unlock()
	if held {
		return nil, fmt.Errorf("state %s: this run already holds the lock", s.path)
	}
	if err := s.mkdir(); err != nil {
		return nil, err
	}
	rec := lockRecord{Holder: me, Token: newToken(), BootID: bootID(), PIDNamespace: pidNamespace()}
	rec.StartTicks, _ = procStartTicks(me.PID)
	// The token is known as this process's before the lock file can exist:
	// another store of this process that read the file in between would
	// otherwise judge it stale ("this process holds no such lock") and
	// remove it under its holder.
	heldTokens.Store(rec.Token, true)
	locked := false
	defer func() {
		if !locked {
			heldTokens.Delete(rec.Token)
		}
	}()
	start := time.Now()
	waiting, quick := false, 0
	for {
		err := createLockFile(s.lockPath, rec)
		if err == nil {
			locked = true
			s.mu.Lock()
			s.held = &fileLock{token: rec.Token}
			s.closeWriter() // the next write reads what others wrote meanwhile
			s.mu.Unlock()
			return func() error { return s.unlock(rec.Token) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("taking the state lock %s: %w", s.lockPath, err)
		}
		cur, err := readLockFile(s.lockPath)
		switch {
		case errors.Is(err, fs.ErrNotExist) && quick < 10:
			quick++
			continue // released meanwhile: try again at once
		case err != nil:
			cur = lockRecord{Holder: unreadableHolder(s.lockPath)}
		default:
			if why := staleReason(cur, me); why != "" {
				if err := takeOver(s.lockPath, cur.Token); err != nil {
					return nil, fmt.Errorf("taking over the stale state lock %s: %w", s.lockPath, err)
				}
				s.say("state %s: took over the lock of %s: %s", s.path, cur.Holder, why)
				continue
			}
		}
		waited := time.Since(start)
		if waited >= timeout {
			return nil, &LockedError{Holder: cur.Holder, Waited: waited}
		}
		if !waiting {
			s.say("state %s is locked by %s; waiting up to %v", s.path, cur.Holder, roundWait(timeout-waited))
			waiting = true
		}
		t := time.NewTimer(min(lockPoll, timeout-waited))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// createLockFile creates path holding rec, atomically and only if it does
// not exist: the record is written to a temporary file that is then
// hard-linked to path, so that no one ever reads a half-written lock. Where
// hard links are not supported it falls back to O_EXCL.
func createLockFile(path string, rec lockRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	lerr := os.Link(tmp, path)
	if lerr == nil || errors.Is(lerr, fs.ErrExist) {
		return lerr
	}
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

func readLockFile(path string) (lockRecord, error) {
	var rec lockRecord
	b, err := os.ReadFile(path)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(b, &rec); err != nil || rec.Token == "" {
		return rec, fmt.Errorf("lock file %s is unreadable", path)
	}
	return rec, nil
}

// unreadableHolder stands for the holder of a lock file that cannot be
// read; it is never judged stale.
func unreadableHolder(path string) Holder {
	h := Holder{Host: "unknown host", Command: "unreadable lock file " + path}
	if fi, err := os.Stat(path); err == nil {
		h.Since = fi.ModTime()
	}
	return h
}

// staleReason says why the holder of cur is gone, or "" when it may still
// run (or it cannot be told: another host, another pid namespace).
func staleReason(cur lockRecord, me Holder) string {
	if cur.Host != me.Host || cur.PID <= 0 {
		return ""
	}
	if b := bootID(); b != "" && cur.BootID != "" && b != cur.BootID {
		return cur.Host + " has restarted since"
	}
	if ns := pidNamespace(); ns != "" && cur.PIDNamespace != "" && ns != cur.PIDNamespace {
		return ""
	}
	if !pidAlive(cur.PID) {
		return fmt.Sprintf("pid %d is no longer running on %s", cur.PID, cur.Host)
	}
	if cur.StartTicks != 0 {
		if t, ok := procStartTicks(cur.PID); ok && t != cur.StartTicks {
			return fmt.Sprintf("pid %d on %s is now another process", cur.PID, cur.Host)
		}
	}
	if cur.PID == os.Getpid() {
		if _, ok := heldTokens.Load(cur.Token); !ok {
			return "this process holds no such lock"
		}
	}
	return ""
}

// takeOver removes the stale lock whose token is stale. It first moves the
// lock file aside and checks that it moved the stale lock: if another waiter
// took over first and already holds a new lock, that one is put back.
func takeOver(path, stale string) error {
	aside := path + ".stale-" + newToken()
	if err := os.Rename(path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	defer os.Remove(aside)
	if cur, err := readLockFile(aside); err == nil && cur.Token != stale {
		if err := os.Link(aside, path); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}

// checkHeld fails when this store took the lock and no longer has it (it
// was broken with runai-sync state unlock), so that two runs never write at
// once. Called with s.mu held.
func (s *fileStore) checkHeld() error {
	if s.held == nil {
		return nil
	}
	cur, err := readLockFile(s.lockPath)
	if err == nil && cur.Token == s.held.token {
		return nil
	}
	by := "no one"
	if err == nil {
		by = cur.Holder.String()
	}
	return fmt.Errorf("state %s: this run lost its lock (now held by %s; was it broken with runai-sync state unlock?); stopping so that two runs never write at once", s.path, by)
}

func (s *fileStore) unlock(token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil || s.held.token != token {
		return nil
	}
	return s.releaseLocked()
}

// releaseLocked removes the lock file if it is still this store's. Called
// with s.mu held.
func (s *fileStore) releaseLocked() error {
	token := s.held.token
	s.held = nil
	heldTokens.Delete(token)
	cur, err := readLockFile(s.lockPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("state %s: the lock was already gone (broken with runai-sync state unlock?)", s.path)
	case err != nil:
		return fmt.Errorf("state %s: %w; left in place", s.path, err)
	case cur.Token != token:
		return fmt.Errorf("state %s: the lock is now held by %s; left in place", s.path, cur.Holder)
	}
	if err := os.Remove(s.lockPath); err != nil {
		return fmt.Errorf("releasing the state lock: %w", err)
	}
	return nil
}

// ForceUnlock implements Store: it removes the lock file, whoever holds it.
func (s *fileStore) ForceUnlock(ctx context.Context) ([]Holder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cur, err := readLockFile(s.lockPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	was := cur.Holder
	if err != nil {
		was = unreadableHolder(s.lockPath)
	}
	if err := os.Remove(s.lockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("removing the state lock %s: %w", s.lockPath, err)
	}
	return []Holder{was}, nil
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
