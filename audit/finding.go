package audit

import (
	"fmt"
	"strings"

	"github.com/runai-sync/runai-sync/manifest"
)

// Severity ranks a finding.
type Severity int

// The severities, least to most severe.
const (
	Info Severity = iota
	Warning
	Critical
)

// Severities lists every severity, least severe first.
var Severities = []Severity{Info, Warning, Critical}

// String is "info", "warning" or "critical".
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" or "critical".
func ParseSeverity(s string) (Severity, error) {
	for _, v := range Severities {
		if strings.EqualFold(s, v.String()) {
			return v, nil
		}
	}
	return 0, fmt.Errorf("severity %q: use info, warning or critical", s)
}

// MarshalText writes the name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// The checks, by the name findings carry.
const (
	// CheckAccessKeyAge: an access key (any user's) older than MaxKeyAge.
	CheckAccessKeyAge = "access-key-age"
	// CheckAccessKeyUnused: an access key idle for longer than UnusedFor.
	CheckAccessKeyUnused = "access-key-unused"
	// CheckServiceAccountUnused: a service account idle for longer than
	// UnusedFor.
	CheckServiceAccountUnused = "service-account-unused"
	// CheckServiceAccountDisabledInUse: a disabled service account whose
	// secret credentials of the manifests still take.
	CheckServiceAccountDisabledInUse = "service-account-disabled-in-use"
	// CheckCredentialUnused: a credential no workload or asset uses.
	CheckCredentialUnused = "credential-unused"
	// CheckCredentialSync: a credential whose sync status is Failed,
	// Issues found or Deletion failed.
	CheckCredentialSync = "credential-sync"
	// CheckLiteralSecret: a secret written in a manifest.
	CheckLiteralSecret = "literal-secret"
	// CheckManagedMissing: a manifest's object that is not live.
	CheckManagedMissing = "managed-missing"
	// CheckStaleStateRecord: a state record of an object that is gone.
	CheckStaleStateRecord = "stale-state-record"
)

// Finding is one hygiene problem with one object.
type Finding struct {
	Check    string
	Severity Severity
	// Key names the object; Provider and ID are set for live objects.
	Key      manifest.Key
	Provider string
	ID       string
	// Pos and Path locate a finding in a manifest (literal secrets,
	// missing objects); zero otherwise.
	Pos  manifest.Position
	Path string
	// Message says what is wrong and what to do, never a secret value.
	Message string
}

// Object names the finding's object for people.
func (f Finding) Object() string { return f.Key.String() }

// Counts are findings by severity.
type Counts struct {
	Info     int `json:"info"`
	Warning  int `json:"warning"`
	Critical int `json:"critical"`
}

// CountOf counts findings by severity.
func CountOf(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		switch f.Severity {
		case Info:
			c.Info++
		case Warning:
			c.Warning++
		case Critical:
			c.Critical++
		}
	}
	return c
}

// Reaches reports whether any finding is at least as severe as min.
func Reaches(fs []Finding, min Severity) bool {
	for _, f := range fs {
		if f.Severity >= min {
			return true
		}
	}
	return false
}
