package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Redacted is what every output shows in place of a secret value.
const Redacted = "(sensitive)"

// Secret holds a secret value. Its String, GoString, Format, MarshalJSON and
// MarshalText methods never reveal the value; only Reveal does. The value sits
// behind a pointer so that even reflection-based printing of a struct holding a
// Secret in an unexported field shows an address, not the value.
type Secret struct {
	p *string
}

// NewSecret wraps a value and registers it for redaction (RegisterSecret):
// from now on it is scrubbed from everything the program prints.
func NewSecret(v string) Secret {
	RegisterSecret(v)
	return Secret{p: &v}
}

// NewPublicValue wraps a value that is not secret but is handled like one
// (fingerprinted in the state, passed where a Secret goes): a client id, a
// non-secret Seqera key compared through fingerprints. Unlike NewSecret it
// does not register the value for redaction, so output may still show it.
func NewPublicValue(v string) Secret { return Secret{p: &v} }

// Reveal returns the value. Call it only where the value leaves the program
// for the API, a secret file, or a fingerprint.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether no value was set.
func (s Secret) IsZero() bool { return s.p == nil }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string { return Redacted }

// GoString implements fmt.GoStringer without revealing the value.
func (s Secret) GoString() string { return "resource.Secret(" + Redacted + ")" }

// Format implements fmt.Formatter: every verb prints the redaction marker.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = io.WriteString(f, Redacted)
}

// MarshalJSON implements json.Marshaler without revealing the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(Redacted) }

// MarshalText implements encoding.TextMarshaler without revealing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// OutputRef names a value produced by another resource of the manifest set
// during apply: a service account's or access key's clientId or clientSecret.
type OutputRef struct {
	Name  string `json:"name"`
	Field string `json:"field"`
}

// Output fields a ServiceAccount or AccessKey produces.
const (
	FieldClientID     = "clientId"
	FieldClientSecret = "clientSecret"
)

// SecretRef is the value of a secret field in a manifest: a literal (which
// validate warns about) or exactly one reference.
type SecretRef struct {
	// Literal is set when the manifest holds the value itself.
	Literal Secret
	// FromEnv names an environment variable holding the value.
	FromEnv string
	// FromFile names a file holding the value; a relative path is relative to
	// the directory of the manifest file.
	FromFile string
	// FileEncoding is how FromFile's bytes become the value: "" (UTF-8
	// text, one trailing newline dropped) or EncodingBase64 (the bytes,
	// base64-encoded, unaltered).
	FileEncoding string
	// FromSops takes the value from a SOPS-encrypted file.
	FromSops *SopsRef
	// FromCommand takes the value from the standard output of a program.
	FromCommand *CommandRef
	// FromServiceAccount takes a value of a ServiceAccount of the set.
	FromServiceAccount *OutputRef
	// FromAccessKey takes a value of an AccessKey of the set.
	FromAccessKey *OutputRef
}

// EncodingBase64 is the fromFile encoding that takes a file's bytes as
// they are, base64-encoded (binary keys, keystores).
const EncodingBase64 = "base64"

// SopsRef names a value inside a SOPS-encrypted YAML, JSON or dotenv file.
type SopsRef struct {
	// File is the encrypted file; a relative path is relative to the
	// directory of the manifest file.
	File string `json:"file"`
	// Key is a dot path into nested maps (s3.secretAccessKey), or the
	// variable name of a dotenv file.
	Key string `json:"key"`
}

// CommandRef names a program whose standard output is the value.
type CommandRef struct {
	// Command is the program and its arguments, run without a shell.
	Command []string `json:"command"`
	// Timeout bounds the run, as a Go duration ("10s"); empty means
	// DefaultCommandTimeout.
	Timeout string `json:"timeout,omitempty"`
}

// DefaultCommandTimeout bounds a fromCommand program that sets no timeout.
const DefaultCommandTimeout = 10 * time.Second

// MaxCommandTimeout is the longest timeout a fromCommand may set.
const MaxCommandTimeout = 10 * time.Minute

// Duration is the timeout of the run: DefaultCommandTimeout when none is
// set, and an error when it is not a duration between 1ms and
// MaxCommandTimeout.
func (c CommandRef) Duration() (time.Duration, error) {
	if c.Timeout == "" {
		return DefaultCommandTimeout, nil
	}
	d, err := time.ParseDuration(c.Timeout)
	if err != nil || d < time.Millisecond || d > MaxCommandTimeout {
		return 0, fmt.Errorf("timeout %q is not a duration between 1ms and 10m (write 10s, 1m30s)", c.Timeout)
	}
	return d, nil
}

// Name is the program, as the manifest writes it.
func (c CommandRef) Name() string {
	if len(c.Command) == 0 {
		return ""
	}
	return c.Command[0]
}

// fileRef is fromFile in its object form.
type fileRef struct {
	Path     string `json:"path"`
	Encoding string `json:"encoding,omitempty"`
}

type secretRefJSON struct {
	FromEnv            string          `json:"fromEnv,omitempty"`
	FromFile           json.RawMessage `json:"fromFile,omitempty"`
	FromSops           *SopsRef        `json:"fromSops,omitempty"`
	FromCommand        *CommandRef     `json:"fromCommand,omitempty"`
	FromServiceAccount *OutputRef      `json:"fromServiceAccount,omitempty"`
	FromAccessKey      *OutputRef      `json:"fromAccessKey,omitempty"`
}

// Forms lists the reference forms of a secret field, for messages.
const Forms = "fromEnv, fromFile, fromSops, fromCommand, fromServiceAccount, fromAccessKey"

// IsLiteral reports whether the value is written in the manifest.
func (r SecretRef) IsLiteral() bool { return !r.Literal.IsZero() }

// Output returns the resource output the value comes from, if any, with the
// kind of that resource.
func (r SecretRef) Output() (Kind, *OutputRef) {
	switch {
	case r.FromServiceAccount != nil:
		return KindServiceAccount, r.FromServiceAccount
	case r.FromAccessKey != nil:
		return KindAccessKey, r.FromAccessKey
	}
	return "", nil
}

// Source describes where the value comes from, without the value:
// "literal", "env TEAM_A_SECRET", "file ./x", "sops x.enc.yaml#s3.key",
// "command op", "ServiceAccount ci/clientSecret".
func (r SecretRef) Source() string {
	switch {
	case r.IsLiteral():
		return "literal"
	case r.FromEnv != "":
		return "env " + r.FromEnv
	case r.FromFile != "":
		return "file " + r.FromFile
	case r.FromSops != nil:
		return "sops " + r.FromSops.File + "#" + r.FromSops.Key
	case r.FromCommand != nil:
		return "command " + r.FromCommand.Name()
	case r.FromServiceAccount != nil:
		return "ServiceAccount " + r.FromServiceAccount.Name + "/" + r.FromServiceAccount.Field
	case r.FromAccessKey != nil:
		return "AccessKey " + r.FromAccessKey.Name + "/" + r.FromAccessKey.Field
	}
	return "unset"
}

// String describes the reference without revealing a literal value.
func (r SecretRef) String() string {
	if r.IsLiteral() {
		return Redacted
	}
	return "{" + r.Source() + "}"
}

// GoString is String, so %#v never reveals a literal.
func (r SecretRef) GoString() string { return "resource.SecretRef" + r.String() }

// Format implements fmt.Formatter without revealing a literal.
func (r SecretRef) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, r.GoString())
		return
	}
	_, _ = io.WriteString(f, r.String())
}

// MarshalJSON writes a reference as its object form and a literal as the
// redaction marker.
func (r SecretRef) MarshalJSON() ([]byte, error) {
	if r.IsLiteral() {
		return json.Marshal(Redacted)
	}
	o := secretRefJSON{FromEnv: r.FromEnv, FromSops: r.FromSops, FromCommand: r.FromCommand, FromServiceAccount: r.FromServiceAccount, FromAccessKey: r.FromAccessKey}
	if r.FromFile != "" {
		var f any = r.FromFile
		if r.FileEncoding != "" {
			f = fileRef{r.FromFile, r.FileEncoding}
		}
		b, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		o.FromFile = b
	}
	return json.Marshal(o)
}

// UnmarshalJSON reads a literal string or a reference object.
func (r *SecretRef) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		// Registered for redaction when resolved as a secret (Resolver):
		// a SecretRef may hold a key that is not secret (a Seqera username).
		*r = SecretRef{Literal: NewPublicValue(s)}
		return nil
	}
	var o secretRefJSON
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("a secret field takes a string or one of %s", Forms)
	}
	*r = SecretRef{FromEnv: o.FromEnv, FromSops: o.FromSops, FromCommand: o.FromCommand, FromServiceAccount: o.FromServiceAccount, FromAccessKey: o.FromAccessKey}
	if f := bytes.TrimSpace(o.FromFile); len(f) > 0 && !bytes.Equal(f, []byte("null")) {
		if err := json.Unmarshal(f, &r.FromFile); err != nil {
			var fr fileRef
			if err := json.Unmarshal(f, &fr); err != nil {
				return fmt.Errorf("fromFile takes a path or {path, encoding}")
			}
			r.FromFile, r.FileEncoding = fr.Path, fr.Encoding
		}
	}
	return nil
}
