package state

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/runai-sync/runai-sync/internal/atomicfile"
)

// compactIfFree compacts while this store holds the lock; otherwise it
// takes the lock for the compaction if it is free, and skips compacting if
// it is not (the holder writes, and compacts itself). A compaction without
// the lock could drop a record another writer appends meanwhile. Called
// with s.mu held and s.w set.
func (s *fileStore) compactIfFree() error {
	if s.held != nil {
		return s.compact()
	}
	host, _ := os.Hostname()
	rec := lockRecord{
		Holder: Holder{Host: host, PID: os.Getpid(), Since: time.Now().UTC(), Command: "runai-sync, compacting the state"},
		Token:  newToken(), BootID: bootID(), PIDNamespace: pidNamespace(),
	}
	rec.StartTicks, _ = procStartTicks(rec.PID)
	// Known before the file exists: see Lock.
	heldTokens.Store(rec.Token, true)
	if err := createLockFile(s.lockPath, rec); err != nil {
		heldTokens.Delete(rec.Token)
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return err
	}
	defer func() {
		heldTokens.Delete(rec.Token)
		if cur, err := readLockFile(s.lockPath); err == nil && cur.Token == rec.Token {
			_ = os.Remove(s.lockPath)
		}
	}()
	return s.compact()
}

// compact folds the journal into a new snapshot and empties the journal. It
// starts from the files, not from memory, so it keeps whatever they hold. A
// crash between the two steps leaves records the new snapshot already
// holds; their sequence numbers make replay skip them.
func (s *fileStore) compact() error {
	disk, err := s.read()
	if err != nil {
		return err
	}
	size, snap, err := s.writeSnapshot(disk.salt, disk.records, disk.seq)
	if err != nil {
		return err
	}
	s.w.snapSize, s.w.snap = size, snap
	s.w.seq = max(s.w.seq, disk.seq)
	if err := s.w.f.Truncate(0); err != nil {
		return err
	}
	s.w.size = 0
	atomicfile.RemoveStale(s.path, time.Minute)
	atomicfile.RemoveStale(s.lockPath, time.Minute)
	return s.w.f.Sync()
}

// writeSnapshot replaces the snapshot atomically and returns its size and
// identity.
func (s *fileStore) writeSnapshot(salt []byte, rs records, seq uint64) (int64, os.FileInfo, error) {
	var size int64
	err := atomicfile.WriteFunc(s.path, 0o600, func(w io.Writer) (err error) {
		size, err = writeSnapshotTo(w, salt, rs, seq)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("saving state to %s: %w", s.path, err)
	}
	s.stats.snapshotWrites++
	s.stats.snapshotBytes += size
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0, nil, fmt.Errorf("saving state to %s: %w", s.path, err)
	}
	return size, fi, nil
}
