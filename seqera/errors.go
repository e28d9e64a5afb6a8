package seqera

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Error is a failed operation on one Seqera credential, or on a whole
// workspace when Key.Name is empty. Its text names the subject first:
//
//	seqera credential github-ci (workspace 1001): create failed: 400 credentials.keys.password must be a string (POST /credentials)
//
// It unwraps to the cause (often a *rest.Error, or an *InUseError), so
// errors.Is and errors.As see through it. It never holds a secret value.
type Error struct {
	// Op is what was attempted: "create", "update", "delete", "list
	// credentials", "read back".
	Op string
	// Key names the credential; for an operation on a whole workspace only
	// Kind, Scope and ScopeID are set.
	Key manifest.Key
	// Err is the cause.
	Err error
	// Hint says what to do, when there is something to say.
	Hint string
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if s := subject(e.Key); s != "" {
		b.WriteString(s + ": ")
	}
	b.WriteString(e.Op + " failed: ")
	if re, ok := e.Err.(*rest.Error); ok {
		b.WriteString(re.Summary())
		fmt.Fprintf(&b, " (%s)", re.Request())
	} else {
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Subject is the credential the error is about (Name empty for a whole
// workspace); apply uses it not to name the object twice.
func (e *Error) Subject() manifest.Key { return e.Key }

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

// subject names a credential or workspace for messages: "seqera credential
// github-ci (workspace 1001)", "seqera workspace 1001", "seqera personal
// workspace".
func subject(k manifest.Key) string {
	switch {
	case k.Name != "":
		return fmt.Sprintf("seqera credential %s (%s)", k.Name, workspaceLabel(k.ScopeID))
	case k.Scope == manifest.ScopeWorkspace:
		return "seqera " + workspaceLabel(k.ScopeID)
	}
	return ""
}

// workspaceLabel is "workspace 1001", or "personal workspace" for "".
func workspaceLabel(ws string) string {
	if ws == "" {
		return "personal workspace"
	}
	return "workspace " + ws
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
	var (
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		verify  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &host):
		return "the server's certificate is not valid for the host of TOWER_API_ENDPOINT: use the name the certificate was issued for"
	case errors.As(err, &unknown), errors.As(err, &verify):
		return "the server's certificate is not trusted: give the CA certificate that signed it as the Seqera CA file"
	}
	return ""
}
