package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/runai-sync/runai-sync/manifest"
)

// formatVersion is the version of the snapshot and journal formats (and of
// the PostgreSQL tables). Version 2 keys entries by tenant; a version 1
// state is read with every entry unclaimed (Tenant ""), and is rewritten as
// version 2 before the first write, so that an older runai-sync, which would
// mix the tenants' entries, refuses it.
const formatVersion = 2

// snapshot is the on-disk form of the compacted state file:
//
//	{"formatVersion": 2, "salt": "…base64…", "seq": 42, "entries": [ … ]}
//
// Seq is the sequence number of the last journal record the snapshot
// includes: replay skips records at or below it, so a crash between writing
// a snapshot and truncating the journal replays nothing twice.
type snapshot struct {
	FormatVersion int     `json:"formatVersion"`
	Salt          []byte  `json:"salt"`
	Seq           uint64  `json:"seq"`
	Entries       []Entry `json:"entries"`
}

// writeSnapshotTo writes the records to w as a snapshot, sorted by tenant
// and key so that the same state always gives the same bytes, an entry at
// a time, so that a state of 10,000 entries is never whole in memory as
// JSON; it returns how many bytes it wrote. The bytes are those of
// json.MarshalIndent(snapshot, "", "  ") and a newline.
func writeSnapshotTo(w io.Writer, salt []byte, rs records, seq uint64) (int64, error) {
	cw := &countingWriter{w: w}
	saltJSON, err := json.Marshal(salt)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(cw, "{\n  \"formatVersion\": %d,\n  \"salt\": %s,\n  \"seq\": %d,\n  \"entries\": ", formatVersion, saltJSON, seq)
	entries := sortedRecords(rs)
	if len(entries) == 0 {
		io.WriteString(cw, "null\n}\n")
		return cw.n, cw.err
	}
	io.WriteString(cw, "[\n")
	for i, e := range entries {
		b, err := json.MarshalIndent(e, "    ", "  ")
		if err != nil {
			return cw.n, err
		}
		io.WriteString(cw, "    ")
		cw.Write(b)
		if i < len(entries)-1 {
			io.WriteString(cw, ",")
		}
		io.WriteString(cw, "\n")
	}
	io.WriteString(cw, "  ]\n}\n")
	return cw.n, cw.err
}

// countingWriter counts the bytes written and keeps the first error, after
// which it writes nothing.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

func sortedEntries(m map[manifest.Key]Entry) []Entry {
	out := make([]Entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, compareEntries)
	return out
}

// decodeSnapshot parses a snapshot read from path (named in errors): its
// salt, records, sequence number and format version. The entries of a
// version 1 snapshot are unclaimed, whatever they say.
func decodeSnapshot(path string, b []byte) (salt []byte, rs records, seq uint64, version int, err error) {
	var s snapshot
	dec := jsonv1.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&s); err != nil {
		return nil, nil, 0, 0, fmt.Errorf("state %s is not valid JSON (%v); restore it from a backup, or remove it to start a new state (every secret then looks unknown)", path, err)
	}
	switch {
	case s.FormatVersion > formatVersion:
		return nil, nil, 0, 0, fmt.Errorf("state %s has format version %d, written by a newer runai-sync; upgrade runai-sync", path, s.FormatVersion)
	case s.FormatVersion < 1 || len(s.Salt) == 0:
		return nil, nil, 0, 0, fmt.Errorf("state %s is not a runai-sync state (no formatVersion or salt); give another --state path, or remove it", path)
	}
	rs = make(records, len(s.Entries))
	for _, e := range s.Entries {
		if s.FormatVersion < 2 {
			e.Tenant = ""
		}
		rs[e.Ref()] = e
	}
	return s.Salt, rs, s.Seq, s.FormatVersion, nil
}
