package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/runai-sync/runai-sync/internal/atomicfile"
)

// File names beside the snapshot.
const (
	journalSuffix = ".journal"
	lockSuffix    = ".lock"
)

// compactMin is the journal size below which Put never compacts; above it,
// Put compacts once the journal outgrows the snapshot. Each compaction then
// writes at most about as many bytes as the journal appends since the last
// one, so the cost per Put stays constant however large the state grows.
const compactMin = 1 << 20

// fileStore is the local-file backend: snapshot, journal and lock file side
// by side (state.json, state.json.journal, state.json.lock).
type fileStore struct {
	path, journalPath, lockPath string
	compactMin                  int64

	notify atomic.Pointer[func(string)]

	mu sync.Mutex
	// salt is the salt of a state that is not on disk yet, so that every
	// Load before the first write returns the same one, and the first write
	// saves it.
	salt []byte
	w    *journalWriter // set by the first write
	held *fileLock      // set while this store holds the lock
	// broken is set when a failed append left the journal in a state this
	// process cannot vouch for; every later write fails with it.
	broken error
	stats  fileStats
}

// journalWriter is the open journal of a store that writes.
type journalWriter struct {
	f        *os.File
	size     int64  // bytes in the journal
	seq      uint64 // last sequence number written or seen
	snapSize int64  // bytes of the snapshot on disk
	// snap is the snapshot file the writer's sequence numbers follow.
	snap os.FileInfo
}

// fileStats counts what a store wrote, for tests and measurements.
type fileStats struct {
	snapshotWrites, journalAppends int
	snapshotBytes, journalBytes    int64
}

func newFileStore(path string) *fileStore {
	return &fileStore{path: path, journalPath: path + journalSuffix, lockPath: path + lockSuffix, compactMin: compactMin}
}

// Describe implements Store: the path as given.
func (s *fileStore) Describe() string { return s.path }

// SetNotify implements Notifier.
func (s *fileStore) SetNotify(f func(string)) { s.notify.Store(&f) }

func (s *fileStore) say(format string, args ...any) {
	if f := s.notify.Load(); f != nil && *f != nil {
		(*f)(fmt.Sprintf(format, args...))
	}
}

// onDisk is what reading the files found.
type onDisk struct {
	salt     []byte
	records  records
	version  int // format version of the snapshot
	exists   bool
	seq      uint64 // highest sequence number in snapshot and journal
	snapSize int64
	snap     os.FileInfo
	journal  replayed
}

// Load implements Store: the snapshot with the journal replayed over it,
// the scope's entries picked out.
func (s *fileStore) Load(ctx context.Context, scope Scope) (*Data, error) {
	disk, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	return disk.records.data(disk.salt, scope), nil
}

// List implements Store.
func (s *fileStore) List(ctx context.Context) ([]Entry, error) {
	disk, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	return sortedRecords(disk.records), nil
}

func (s *fileStore) load(ctx context.Context) (onDisk, error) {
	if err := ctx.Err(); err != nil {
		return onDisk{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	disk, err := s.read()
	if err != nil {
		return disk, err
	}
	if !disk.exists {
		if s.salt == nil {
			if s.salt, err = newSalt(); err != nil {
				return disk, err
			}
		}
		disk.salt = append([]byte(nil), s.salt...)
	}
	return disk, nil
}

// read reads snapshot and journal. A writer may compact meanwhile (rename a
// new snapshot, then truncate the journal): when the snapshot read is not
// the one in place after the journal was read, read again.
func (s *fileStore) read() (onDisk, error) {
	for range 10 {
		disk, again, err := s.readOnce()
		if err != nil || !again {
			return disk, err
		}
	}
	return onDisk{}, fmt.Errorf("state %s kept changing while it was read; try again", s.path)
}

func (s *fileStore) readOnce() (disk onDisk, again bool, err error) {
	disk.records = records{}
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		if fi, jerr := os.Stat(s.journalPath); jerr == nil && fi.Size() > 0 {
			return disk, false, fmt.Errorf("state journal %s exists without its snapshot %s (and the salt that keys its fingerprints); restore %s from a backup, or remove the journal to start a new state", s.journalPath, s.path, s.path)
		}
		return disk, false, nil
	}
	if err != nil {
		return disk, false, fmt.Errorf("reading state: %w", err)
	}
	before, err := f.Stat()
	if err != nil {
		f.Close()
		return disk, false, fmt.Errorf("reading state: %w", err)
	}
	buf := bytes.NewBuffer(make([]byte, 0, before.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(f)
	b := buf.Bytes()
	f.Close()
	if err != nil {
		return disk, false, fmt.Errorf("reading state: %w", err)
	}
	salt, rs, seq, version, err := decodeSnapshot(s.path, b)
	if err != nil {
		return disk, false, err
	}
	j, err := os.ReadFile(s.journalPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return disk, false, fmt.Errorf("reading state journal: %w", err)
	}
	if after, err := os.Stat(s.path); err != nil || !os.SameFile(before, after) {
		return disk, true, nil
	}
	rep, err := replayJournal(s.journalPath, j, rs, version, seq)
	if err != nil {
		return disk, false, err
	}
	return onDisk{salt: salt, records: rs, version: version, exists: true, seq: rep.lastSeq, snapSize: int64(len(b)), snap: before, journal: rep}, false, nil
}

// Put implements Store: one journal record, appended and synced. An entry
// whose AppliedAt is zero gets the current time.
func (s *fileStore) Put(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return ctx.Err()
	}
	if err := checkTenants(entries); err != nil {
		return err
	}
	now := time.Now().UTC()
	put := make([]Entry, len(entries))
	for i, e := range entries {
		if e.AppliedAt.IsZero() {
			e.AppliedAt = now
		}
		put[i] = e
	}
	return s.append(ctx, record{Put: put})
}

// Remove implements Store.
func (s *fileStore) Remove(ctx context.Context, refs ...Ref) error {
	if len(refs) == 0 {
		return ctx.Err()
	}
	return s.append(ctx, record{Forget: refs})
}

func (s *fileStore) append(ctx context.Context, r record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return s.broken
	}
	if err := s.checkHeld(); err != nil {
		return err
	}
	if s.w != nil && !s.writerCurrent() {
		s.closeWriter()
	}
	if err := s.openWriter(); err != nil {
		return err
	}
	w := s.w
	r.Seq = w.seq + 1
	line, err := r.encode()
	if err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	n, err := w.f.Write(line)
	if err == nil {
		err = w.f.Sync()
	}
	if err != nil {
		// Take the partial line back, so that later records do not follow
		// a corrupt one; if that fails too, stop writing.
		if terr := w.f.Truncate(w.size); terr != nil || n == len(line) {
			s.broken = fmt.Errorf("state journal %s may hold an unfinished record (%v); stopping; the next run replays what was saved", s.journalPath, err)
		}
		return fmt.Errorf("saving state to %s: %w", s.journalPath, err)
	}
	w.size += int64(n)
	w.seq = r.Seq
	s.stats.journalAppends++
	s.stats.journalBytes += int64(n)
	if w.size > max(s.compactMin, w.snapSize) {
		if err := s.compactIfFree(); err != nil {
			// The record is saved; a later compaction retries.
			s.say("state %s: compacting the journal failed (the change is saved): %v", s.path, err)
		}
	}
	return nil
}

// openWriter prepares the first write of this store: it saves the snapshot
// of a new state (with its salt), rewrites a snapshot of an older format
// (with its journal folded in), opens the journal for appending, and cuts
// off a torn last line left by a crash.
func (s *fileStore) openWriter() error {
	if s.w != nil {
		return nil
	}
	if err := s.mkdir(); err != nil {
		return err
	}
	disk, err := s.read()
	if err != nil {
		return err
	}
	upgrade := false
	switch {
	case !disk.exists:
		if s.salt == nil {
			if s.salt, err = newSalt(); err != nil {
				return err
			}
		}
		disk.salt = s.salt
		if disk.snapSize, disk.snap, err = s.writeSnapshot(disk.salt, disk.records, 0); err != nil {
			return err
		}
	case s.salt != nil && string(s.salt) != string(disk.salt):
		return fmt.Errorf("state %s was created by another run since this one loaded it; run again", s.path)
	case disk.version < formatVersion:
		// Entries written before they were keyed by tenant stay unclaimed;
		// the journal they came with is folded in and emptied below.
		if disk.snapSize, disk.snap, err = s.writeSnapshot(disk.salt, disk.records, disk.seq); err != nil {
			return err
		}
		upgrade = true
		s.say("state %s: upgraded to format version %d (entries keyed by tenant); its %d earlier entries are claimed by the tenant whose live objects have their ids", s.path, formatVersion, len(disk.records))
	}
	f, err := os.OpenFile(s.journalPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening state journal: %w", err)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm() != 0o600 {
		_ = f.Chmod(0o600)
	}
	// A journal just created must survive a power cut as well as its
	// records: make its directory entry durable too.
	if err := atomicfile.SyncDir(filepath.Dir(s.path)); err != nil {
		f.Close()
		return fmt.Errorf("opening state journal: %w", err)
	}
	if upgrade {
		if err := f.Truncate(0); err != nil {
			f.Close()
			return fmt.Errorf("emptying the journal %s folded into the upgraded state: %w", s.journalPath, err)
		}
		disk.journal = replayed{}
	}
	if disk.journal.torn {
		if err := f.Truncate(disk.journal.good); err != nil {
			f.Close()
			return fmt.Errorf("cutting off the torn last record of %s: %w", s.journalPath, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("cutting off the torn last record of %s: %w", s.journalPath, err)
		}
		s.say("state %s: ignored the unfinished last record of its journal (a run was killed while saving it)", s.path)
	}
	s.w = &journalWriter{f: f, size: disk.journal.good, seq: disk.seq, snapSize: disk.snapSize, snap: disk.snap}
	return nil
}

// writerCurrent reports whether the files are as this store's writer left
// them: no other store appended to the journal or replaced the snapshot
// since (another holder of the lock, between two of this store's holds).
func (s *fileStore) writerCurrent() bool {
	fi, err := s.w.f.Stat()
	if err != nil || fi.Size() != s.w.size {
		return false
	}
	si, err := os.Stat(s.path)
	return err == nil && os.SameFile(si, s.w.snap)
}

func (s *fileStore) closeWriter() {
	if s.w != nil {
		_ = s.w.f.Close()
		s.w = nil
	}
}

func (s *fileStore) mkdir() error {
	dir := filepath.Dir(s.path)
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the state directory: %w", err)
	}
	return nil
}

// Close implements Store: it compacts the journal this store appended to
// (unless another run holds the lock), closes it, and releases the lock if
// this store still holds it.
func (s *fileStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	if s.w != nil {
		if s.w.size > 0 && s.broken == nil {
			if err := s.compactIfFree(); err != nil {
				errs = append(errs, fmt.Errorf("compacting state %s: %w", s.path, err))
			}
		}
		errs = append(errs, s.w.f.Close())
		s.w = nil
	}
	if s.held != nil {
		errs = append(errs, s.releaseLocked())
	}
	return errors.Join(errs...)
}
