package state

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runai-sync/runai-sync/internal/atomicfile"
)

func openFile(t *testing.T, path string) *fileStore {
	t.Helper()
	return mustOpen(t, path).(*fileStore)
}

func loadEntries(t *testing.T, path string) []Entry {
	t.Helper()
	d, err := openFile(t, path).Load(context.Background(), testScope)
	if err != nil {
		t.Fatal(err)
	}
	return sortedEntries(d.Entries)
}

func TestFileModes(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	st := openFile(t, path)
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open or Load created files before the first write: %v", err)
	}
	if _, err := st.Load(ctx, testScope); err != nil {
		t.Fatal(err)
	}
	unlock, err := st.Lock(ctx, testScope, me("apply"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, entry("a", "1")); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{
		filepath.Dir(path): 0o700 | os.ModeDir,
		path:               0o600,
		path + ".journal":  0o600,
		path + ".lock":     0o600,
	}
	for p, mode := range want {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != mode {
			t.Errorf("%s has mode %v, want %v", filepath.Base(p), fi.Mode(), mode)
		}
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode() != 0o600 {
		t.Errorf("after compaction: %v, %v", fi.Mode(), err)
	}
}

func TestJournalReplayAfterCrash(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	st := openFile(t, path)
	var want []Entry
	for _, n := range []string{"a", "b", "c"} {
		if err := st.Put(ctx, entry(n, "1")); err != nil {
			t.Fatal(err)
		}
		want = append(want, entry(n, "1"))
	}
	if err := st.Remove(ctx, ref("b")); err != nil {
		t.Fatal(err)
	}
	want = []Entry{want[0], want[2]}
	// A crash: the store is never closed, so nothing was compacted; the
	// snapshot holds only the salt and everything is in the journal.
	if got := st.stats.snapshotWrites; got != 1 {
		t.Fatalf("%d snapshot writes, want 1 (the new state's salt)", got)
	}
	if diff := cmp.Diff(want, loadEntries(t, path)); diff != "" {
		t.Fatalf("replayed (-want +got):\n%s", diff)
	}

	// A run killed in the middle of an append leaves a torn last line.
	line, _ := record{Seq: 99, Put: []Entry{entry("torn", "1")}}.encode()
	appendFile(t, path+".journal", line[:len(line)/2])
	if diff := cmp.Diff(want, loadEntries(t, path)); diff != "" {
		t.Fatalf("with a torn last line (-want +got):\n%s", diff)
	}
	// A torn line whose newline made it to disk but not its middle.
	appendFile(t, path+".journal", append(bytes.Repeat([]byte{0}, 20), '\n'))
	if diff := cmp.Diff(want, loadEntries(t, path)); diff != "" {
		t.Fatalf("with a zero-filled last line (-want +got):\n%s", diff)
	}

	// The next writer cuts the torn tail off before appending.
	next := openFile(t, path)
	n := notes(next)
	if err := next.Put(ctx, entry("d", "1")); err != nil {
		t.Fatal(err)
	}
	want = append(want, entry("d", "1"))
	if diff := cmp.Diff(want, loadEntries(t, path)); diff != "" {
		t.Fatalf("after the next Put (-want +got):\n%s", diff)
	}
	if msgs := n.all(); len(msgs) != 1 || !strings.Contains(msgs[0], "unfinished last record") {
		t.Errorf("notes: %q", msgs)
	}
	j, _ := os.ReadFile(path + ".journal")
	if bytes.Contains(j, []byte{0}) || bytes.Contains(j, []byte("torn")) || j[len(j)-1] != '\n' {
		t.Fatalf("journal still holds the torn record:\n%s", j)
	}
}

func TestJournalCorruptInTheMiddle(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	st := openFile(t, path)
	if err := st.Put(ctx, entry("a", "1")); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path+".journal", []byte("{not json}\n"))
	line, _ := record{Seq: 5, Put: []Entry{entry("b", "1")}}.encode()
	appendFile(t, path+".journal", line)
	_, err := openFile(t, path).Load(ctx, testScope)
	if err == nil || !strings.Contains(err.Error(), "state.json.journal:2 is corrupt") {
		t.Fatalf("Load of a journal corrupt in the middle: %v", err)
	}
}

func TestJournalWithoutSnapshot(t *testing.T) {
	path := fileState(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path+".journal", []byte(`{"seq":1,"put":[]}`+"\n"))
	_, err := openFile(t, path).Load(context.Background(), testScope)
	if err == nil || !strings.Contains(err.Error(), "exists without its snapshot") {
		t.Fatalf("Load: %v", err)
	}
}

func TestCompactionOnClose(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	st := openFile(t, path)
	for i := range 10 {
		if err := st.Put(ctx, entry("e"+itoa(i), "1")); err != nil {
			t.Fatal(err)
		}
	}
	want := loadEntries(t, path)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + ".journal"); err != nil || fi.Size() != 0 {
		t.Fatalf("journal after Close: %v, %v; want empty", fi, err)
	}
	b, _ := os.ReadFile(path)
	_, rs, seq, version, err := decodeSnapshot(path, b)
	if err != nil {
		t.Fatal(err)
	}
	if seq != 10 || version != formatVersion {
		t.Errorf("snapshot seq = %d, version %d; want 10, %d", seq, version, formatVersion)
	}
	if diff := cmp.Diff(want, sortedRecords(rs)); diff != "" {
		t.Fatalf("snapshot (-want +got):\n%s", diff)
	}
	// Appends go on after the snapshot's sequence number.
	st2 := openFile(t, path)
	if err := st2.Put(ctx, entry("late", "1")); err != nil {
		t.Fatal(err)
	}
	if j, _ := os.ReadFile(path + ".journal"); !bytes.HasPrefix(j, []byte(`{"seq":11,`)) {
		t.Fatalf("journal after compaction: %s", j)
	}
}

// A crash after the new snapshot is renamed in but before the journal is
// emptied leaves records the snapshot already holds: they are skipped.
func TestCrashBetweenSnapshotAndTruncate(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	st := openFile(t, path)
	for i := range 3 {
		if err := st.Put(ctx, entry("a", itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Remove(ctx, ref("a")); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, entry("b", "1")); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path + ".journal")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".journal", old, 0o600); err != nil {
		t.Fatal(err)
	}
	next := openFile(t, path)
	if err := next.Put(ctx, entry("a", "9")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Entry{entry("a", "9"), entry("b", "1")}, loadEntries(t, path)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// Saving after every change must not rewrite the state every time: 1,000
// Puts append 1,000 records and write no snapshot beyond the first; with a
// small compaction bound, snapshots are few and their bytes stay within a
// small multiple of the journal's.
func TestPutsDoNotRewriteTheSnapshot(t *testing.T) {
	ctx := context.Background()
	const n = 1000
	for _, tc := range []struct {
		name          string
		compactMin    int64
		maxSnapshots  int
		maxByteFactor float64
	}{
		{"default bound", compactMin, 1, 0.01},
		{"4KiB bound", 4 << 10, 12, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := fileState(t)
			st := openFile(t, path)
			st.compactMin = tc.compactMin
			for i := range n {
				e := entry("credential-"+itoa(i), "id-"+itoa(i))
				e.Fingerprints["spec.secretAccessKey"] = "hmac-sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
				if err := st.Put(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			s := st.stats
			t.Logf("%d Puts: %d journal appends, %d bytes (%d per Put); %d snapshot writes, %d bytes",
				n, s.journalAppends, s.journalBytes, s.journalBytes/n, s.snapshotWrites, s.snapshotBytes)
			if s.journalAppends != n {
				t.Errorf("%d journal appends, want %d", s.journalAppends, n)
			}
			if s.snapshotWrites > tc.maxSnapshots {
				t.Errorf("%d snapshot writes for %d Puts, want at most %d", s.snapshotWrites, n, tc.maxSnapshots)
			}
			if f := float64(s.snapshotBytes) / float64(s.journalBytes); f > tc.maxByteFactor {
				t.Errorf("snapshot bytes are %.2f times the journal's, want at most %.2f", f, tc.maxByteFactor)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(path)
			t.Logf("after Close: snapshot of %d entries is %d bytes", n, fi.Size())
			if got := len(loadEntries(t, path)); got != n {
				t.Fatalf("%d entries after Close, want %d", got, n)
			}
		})
	}
}

// A snapshot write that fails before its rename leaves the old snapshot
// and the journal as they were, and no temporary file.
func TestAtomicSnapshotWrite(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	st := openFile(t, path)
	for _, n := range []string{"a", "b"} {
		if err := st.Put(ctx, entry(n, "1")); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(path)
	want := loadEntries(t, path)
	var tmp string
	atomicfile.BeforeRename = func(p string) error {
		tmp = p
		if _, err := os.Stat(p); err != nil {
			t.Errorf("temporary file: %v", err)
		}
		return errors.New("simulated failure")
	}
	defer func() { atomicfile.BeforeRename = nil }()
	if err := st.Close(); err == nil || !strings.Contains(err.Error(), "simulated failure") {
		t.Fatalf("Close: %v", err)
	}
	atomicfile.BeforeRename = nil
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a failed write changed the snapshot")
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporary file left behind: %v", err)
	}
	if diff := cmp.Diff(want, loadEntries(t, path)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestSnapshotErrorsSayWhatToDo(t *testing.T) {
	for _, tc := range []struct{ content, want string }{
		{"", "not valid JSON"},
		{"{", "not valid JSON"},
		{`{"hello":1}`, "not a runai-sync state"},
		{`{"formatVersion":7,"salt":"AAAA"}`, "newer runai-sync"},
	} {
		path := fileState(t)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := openFile(t, path).Load(context.Background(), testScope)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("Load of %q: %v; want an error naming the file and saying %q", tc.content, err, tc.want)
		}
	}
}

// Two stores that take turns holding the lock (in one process or two) each
// see what the other wrote, compactions included, and lose nothing.
func TestStoresTakingTurns(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	a, b := openFile(t, path), openFile(t, path)
	a.compactMin, b.compactMin = 512, 512
	for i := range 40 {
		st := []*fileStore{a, b}[i%2]
		unlock, err := st.Lock(ctx, testScope, me("turn "+itoa(i)), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, entry("e"+itoa(i), itoa(i))); err != nil {
			t.Fatal(err)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
	}
	if a.stats.snapshotWrites+b.stats.snapshotWrites < 4 {
		t.Fatalf("only %d compactions; the test wants several", a.stats.snapshotWrites+b.stats.snapshotWrites)
	}
	if got := len(loadEntries(t, path)); got != 40 {
		t.Fatalf("%d entries, want 40", got)
	}
}

// A store closed while another run holds the lock leaves the compaction to
// that run: compacting under its feet could drop what it appends.
func TestCloseDoesNotCompactUnderAnotherHolder(t *testing.T) {
	ctx := context.Background()
	path := fileState(t)
	writer, holder := openFile(t, path), openFile(t, path)
	if err := writer.Put(ctx, entry("a", "1")); err != nil {
		t.Fatal(err)
	}
	unlock, err := holder.Lock(ctx, testScope, me("holder"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	if writer.stats.snapshotWrites != 1 {
		t.Fatalf("Close compacted while another store held the lock")
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	// With the lock free, Close compacts (taking the lock for it).
	w2 := openFile(t, path)
	if err := w2.Put(ctx, entry("b", "1")); err != nil {
		t.Fatal(err)
	}
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path + ".journal"); fi.Size() != 0 || w2.stats.snapshotWrites != 1 {
		t.Fatalf("Close with the lock free did not compact: journal %d bytes", fi.Size())
	}
	if _, err := os.Stat(path + lockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the compaction left its lock: %v", err)
	}
	if got := len(loadEntries(t, path)); got != 2 {
		t.Fatalf("%d entries, want 2", got)
	}
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}
