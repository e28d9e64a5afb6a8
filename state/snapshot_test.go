package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The snapshot written an entry at a time is byte for byte the indented
// JSON of the whole snapshot, for no entries, one, and many (with values
// the encoder escapes), and it decodes to the records written.
func TestSnapshotIsTheIndentedJSON(t *testing.T) {
	salt := []byte("0123456789abcdef0123456789abcdef")
	for _, n := range []int{0, 1, 3, 250} {
		rs := records{}
		for i := range n {
			e := entry(fmt.Sprintf("cred-%03d <&>", i), fmt.Sprintf("id-%d", i))
			e.Fingerprints = map[string]string{"spec.password": "hmac-sha256:ab", "spec.user": "hmac-sha256:cd"}
			e.Rotation = "2026-q4"
			e.AppliedAt = time.Date(2026, 12, 6, 10, 0, i, 0, time.UTC)
			if i%2 == 1 {
				e.Tenant = otherTenant
			}
			rs[e.Ref()] = e
		}
		want, err := json.MarshalIndent(snapshot{FormatVersion: formatVersion, Salt: salt, Seq: 42, Entries: sortedRecords(rs)}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		var got bytes.Buffer
		size, err := writeSnapshotTo(&got, salt, rs, 42)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), got.String()); diff != "" {
			t.Fatalf("%d entries (-MarshalIndent +written):\n%s", n, diff)
		}
		if size != int64(got.Len()) {
			t.Errorf("%d entries: size %d, wrote %d bytes", n, size, got.Len())
		}
		gotSalt, gotRecords, seq, version, err := decodeSnapshot("state.json", got.Bytes())
		if err != nil || seq != 42 || version != formatVersion || string(gotSalt) != string(salt) {
			t.Fatalf("%d entries: decoded salt %q seq %d version %d: %v", n, gotSalt, seq, version, err)
		}
		if diff := cmp.Diff(rs, gotRecords); diff != "" {
			t.Errorf("%d entries: decoded (-written +read):\n%s", n, diff)
		}
	}
}
