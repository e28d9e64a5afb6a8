package state

import (
	"bytes"
	"encoding/json"
	"fmt"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/runai-sync/runai-sync/manifest"
)

// record is one line of the journal (state.json.journal): the entries of
// one Put, or the refs of one Remove, numbered in order.
//
//	{"seq":43,"put":[{"tenant":"https://acme.run.ai","key":{…},"provider":"runai","id":"…",…}]}
//	{"seq":44,"forget":[{"tenant":"https://acme.run.ai","key":{"kind":"Credential",…}}]}
//
// Remove holds the keys removed by a version 1 journal (written before
// entries were keyed by tenant): they name unclaimed entries.
//
// A record is one write followed by one fsync: after a crash it is either
// whole, or a torn last line that replay ignores (that Put had not
// returned, so nothing acknowledged is lost).
type record struct {
	Seq    uint64         `json:"seq"`
	Put    []Entry        `json:"put,omitempty"`
	Forget []Ref          `json:"forget,omitempty"`
	Remove []manifest.Key `json:"remove,omitempty"`
}

// encode renders the record as one line, newline included.
func (r record) encode() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// applyTo changes rs as the record says. A journal that follows a
// version 1 snapshot was written before entries were keyed by tenant: its
// entries are unclaimed, whatever they say.
func (r record) applyTo(rs records, version int) {
	for _, e := range r.Put {
		if version < 2 {
			e.Tenant = ""
		}
		rs[e.Ref()] = e
	}
	for _, ref := range r.Forget {
		delete(rs, ref)
	}
	for _, k := range r.Remove {
		delete(rs, Ref{Key: k})
	}
}

// replayed says what replaying a journal found.
type replayed struct {
	// lastSeq is the highest sequence number seen, applied or skipped.
	lastSeq uint64
	// good is the length of the journal up to the end of its last whole
	// record; a writer truncates the journal there before appending.
	good int64
	// torn is set when bytes after good were ignored.
	torn bool
	// applied counts the records applied.
	applied int
}

// replayJournal applies to d the records of journal b (read from path,
// named in errors) whose sequence number is above after. An unreadable last
// line is a write cut short by a crash and is ignored; an unreadable line
// followed by whole records is corruption.
func replayJournal(path string, b []byte, rs records, version int, after uint64) (replayed, error) {
	res := replayed{lastSeq: after}
	line := 1
	for start := 0; start < len(b); line++ {
		n := bytes.IndexByte(b[start:], '\n')
		if n < 0 { // no newline: the last write did not finish
			res.torn = true
			break
		}
		var r record
		if err := jsonv1.Unmarshal(b[start:start+n], &r); err != nil || r.Seq == 0 {
			if bytes.IndexByte(b[start+n+1:], '\n') < 0 {
				res.torn = true // the last line, written in part
				break
			}
			return res, fmt.Errorf("state journal %s:%d is corrupt; restore it from a backup, or remove it to go back to the last snapshot %s", path, line, trimJournal(path))
		}
		if r.Seq > after {
			r.applyTo(rs, version)
			res.applied++
		}
		res.lastSeq = max(res.lastSeq, r.Seq)
		start += n + 1
		res.good = int64(start)
	}
	return res, nil
}

// trimJournal names the snapshot file of a journal path.
func trimJournal(journal string) string {
	return journal[:len(journal)-len(journalSuffix)]
}
