package runai

import (
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Error is a failed operation on one Run:ai object, or on the API as a
// whole when Key is zero (see rest.OpError).
type Error = rest.OpError

// subject names an object for messages (see rest.Subject).
func subject(k manifest.Key) string { return rest.Subject(k) }

// tlsHint says what to do about a certificate the client refused.
func tlsHint(err error) string {
	return rest.TLSHint(err, "RUNAI_BASE_URL (--url)")
}
