package runai

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Error is a failed operation on one Run:ai object, or on the API as a
// whole when Key is zero. Its text names the subject first:
//
//	credential team-a-s3 (accessKey, project 12): create failed: 400 request body: … (POST /api/v1/asset/credentials/access-key)
//
// It unwraps to the cause (often a *rest.Error), so errors.Is and
// errors.As see through it. It never holds a secret value.
type Error struct {
	// Op is what was attempted: "create", "update", "delete", "list
	// credentials", "read back".
	Op string
	// Key names the object; zero for operations on no single object.
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

// Subject is the object the error is about (zero for the API as a whole);
// apply uses it not to name the object twice.
func (e *Error) Subject() manifest.Key { return e.Key }

// subject names an object for messages: "credential team-a-s3
// (accessKey, project 12)", "service account ci-pipeline".
func subject(k manifest.Key) string {
	if k.Name == "" {
		return ""
	}
	var kind string
	switch k.Kind {
	case manifest.KindCredential:
		kind = "credential"
	case manifest.KindServiceAccount:
		kind = "service account"
	case manifest.KindAccessKey:
		kind = "access key"
	default:
		kind = string(k.Kind)
	}
	var in []string
	if k.Type != "" {
		in = append(in, k.Type)
	}
	if s := k.ScopeString(); s != "" {
		in = append(in, s)
	}
	if len(in) == 0 {
		return kind + " " + k.Name
	}
	return fmt.Sprintf("%s %s (%s)", kind, k.Name, strings.Join(in, ", "))
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
		return "the server's certificate is not valid for the host of RUNAI_BASE_URL (--url): use the name the certificate was issued for"
	case errors.As(err, &unknown), errors.As(err, &verify):
		return "the server's certificate is not trusted: pass --ca-file with the CA certificate that signed it"
	}
	return ""
}
