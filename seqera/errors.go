package seqera

import (
	"fmt"
	"strings"

	"github.com/runai-sync/runai-sync/internal/rest"
)

// Error is a failed operation on one Seqera credential, or on a whole
// workspace when Key.Name is empty (see rest.OpError). It may unwrap to an
// *InUseError.
type Error = rest.OpError

// Conflict is a job that uses a credential, as Seqera lists it when it
// refuses a checked delete.
type Conflict struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// InUseError is a delete Seqera refused (409) because running jobs use the
// credential. It unwraps to the *rest.Error of the reply.
type InUseError struct {
	// Conflicts are the jobs, as Seqera listed them.
	Conflicts []Conflict
	// Err is the 409.
	Err error
}

// Error implements error: "used by running workflow nf-run-1 (id 4Bz);
// stop it, or rerun with --force to delete anyway".
func (e *InUseError) Error() string {
	users := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		users[i] = c.describe()
	}
	it := "it"
	if len(users) > 1 {
		it = "them"
	}
	return "used by " + joinAnd(users) + "; stop " + it + ", or rerun with --force to delete anyway"
}

// Unwrap returns the 409.
func (e *InUseError) Unwrap() error { return e.Err }

// describe names a job: "running workflow nf-run-1 (id 4Bz)".
func (c Conflict) describe() string {
	what := c.Type
	switch what {
	case "":
		what = "job"
	case "workflow":
		what = "running workflow"
	}
	switch {
	case c.Name != "" && c.ID != "":
		return fmt.Sprintf("%s %s (id %s)", what, c.Name, c.ID)
	case c.Name != "":
		return what + " " + c.Name
	}
	return what + " " + c.ID
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// tlsHint says what to do about a certificate the client refused.
func tlsHint(err error) string {
	return rest.TLSHint(err, "TOWER_API_ENDPOINT")
}
