package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/runai-sync/runai-sync/manifest"
)

// formatVersion is the version of the snapshot and journal formats.
const formatVersion = 1

// snapshot is the on-disk form of the compacted state file:
//
//	{"formatVersion": 1, "salt": "…base64…", "seq": 42, "entries": [ … ]}
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

// encodeSnapshot renders d as a snapshot, entries sorted by key so that the
// same state always gives the same bytes.
func encodeSnapshot(d *Data, seq uint64) ([]byte, error) {
	s := snapshot{FormatVersion: formatVersion, Salt: d.Salt, Seq: seq, Entries: sortedEntries(d.Entries)}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func sortedEntries(m map[manifest.Key]Entry) []Entry {
	out := make([]Entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return a.Key.Compare(b.Key) })
	return out
}

// decodeSnapshot parses a snapshot read from path (named in errors).
func decodeSnapshot(path string, b []byte) (*Data, uint64, error) {
	var s snapshot
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&s); err != nil {
		return nil, 0, fmt.Errorf("state %s is not valid JSON (%v); restore it from a backup, or remove it to start a new state (every secret then looks unknown)", path, err)
	}
	switch {
	case s.FormatVersion > formatVersion:
		return nil, 0, fmt.Errorf("state %s has format version %d, written by a newer runai-sync; upgrade runai-sync", path, s.FormatVersion)
	case s.FormatVersion < 1 || len(s.Salt) == 0:
		return nil, 0, fmt.Errorf("state %s is not a runai-sync state (no formatVersion or salt); give another --state path, or remove it", path)
	}
	d := &Data{Salt: s.Salt, Entries: make(map[manifest.Key]Entry, len(s.Entries))}
	for _, e := range s.Entries {
		d.Entries[e.Key] = e
	}
	return d, s.Seq, nil
}
