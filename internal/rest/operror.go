package rest

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/runai-sync/runai-sync/resource"
)

// OpError is a failed operation on one object of an API, or on a part of
// the API (a Seqera workspace, the list of credentials) when Key.Name is
// empty. Its text names the subject first:
//
//	credential team-a-s3 (accessKey, project 12): create failed: 400 request body: … (POST /api/v1/asset/credentials/access-key)
//	seqera credential github-ci (workspace 1001): delete failed: used by running workflow nf-run-1 (id 4Bz); …
//
// It unwraps to the cause (often an *Error), so errors.Is and errors.As see
// through it. It never holds a secret value. The providers name it Error.
type OpError struct {
	// Op is what was attempted: "create", "update", "delete", "list
	// credentials", "read back".
	Op string
	// Key names the object; for an operation on no single object only the
	// fields that place it are set, or none.
	Key resource.Key
	// Err is the cause.
	Err error
	// Hint says what to do, when there is something to say.
	Hint string
}

// Error implements error.
func (e *OpError) Error() string {
	var b strings.Builder
	if s := Subject(e.Key); s != "" {
		b.WriteString(s + ": ")
	}
	b.WriteString(e.Op + " failed: ")
	if re, ok := e.Err.(*Error); ok {
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
func (e *OpError) Unwrap() error { return e.Err }

// Subject is the object the error is about; apply uses it not to name the
// object twice.
func (e *OpError) Subject() resource.Key { return e.Key }

// Subject names an object for messages: "credential team-a-s3 (accessKey,
// project 12)", "service account ci-pipeline", "seqera credential github-ci
// (workspace 1001)", "seqera personal workspace"; "" for nothing.
func Subject(k resource.Key) string {
	d, _ := resource.Lookup(k.Kind)
	noun := cmp.Or(d.Noun, string(k.Kind))
	if k.Scope == resource.ScopeWorkspace {
		ws := "workspace " + k.ScopeID
		if k.ScopeID == "" {
			ws = "personal workspace"
		}
		switch {
		case k.Name != "":
			return fmt.Sprintf("%s %s (%s)", noun, k.Name, ws)
		case d.Provider != "":
			return d.Provider + " " + ws
		}
		return ""
	}
	if k.Name == "" {
		return ""
	}
	if d.Under != "" { // an object under another: its operations name it
		under, _ := resource.Lookup(d.Under)
		return cmp.Or(under.Noun, string(d.Under)) + " " + k.Name
	}
	var in []string
	if k.Type != "" {
		in = append(in, k.Type)
	}
	if s := k.ScopeString(); s != "" {
		in = append(in, s)
	}
	if len(in) == 0 {
		return noun + " " + k.Name
	}
	return fmt.Sprintf("%s %s (%s)", noun, k.Name, strings.Join(in, ", "))
}

// TLSHint says what to do about a certificate the client refused;
// urlSetting names where the user sets the URL.
func TLSHint(err error, urlSetting string) string {
	var (
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		verify  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &host):
		return "the server's certificate is not valid for the host of " + urlSetting + ": use the name the certificate was issued for"
	case errors.As(err, &unknown), errors.As(err, &verify):
		return "the server's certificate is not trusted: pass --ca-file with the CA certificate that signed it"
	}
	return ""
}
