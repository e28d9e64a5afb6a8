package manifest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Redaction: every secret value the program holds is registered here when it
// is made, and everything printed passes through Redact first (the CLI's
// standard output and error writers do it, once, for every line), so that a
// value a server echoes back in an error, or a log line that quotes a reply,
// still never shows a secret.
//
// NewSecret registers its value, so every Secret is covered wherever it is
// made: a literal in a manifest, fromEnv, fromFile, any later secret source,
// a client secret or token read from the environment or a tenants file, a
// service account's new secret, an access token. Values that never become a
// Secret (a database password in a state URL, say) are registered with
// RegisterSecret or RegisterURLSecrets.
//
// A value shorter than MinRedactLen is not registered: scrubbing every "abc"
// from the output would mangle it and protect nothing (so short a secret can
// be guessed). A value longer than MaxRedactLen is not either: no output
// holds one whole (the canonical text of a manifest set, say).
const (
	MinRedactLen = 4
	MaxRedactLen = 4 << 20
)

var redactions struct {
	mu sync.RWMutex
	// byPrefix holds the registered forms by their first MinRedactLen
	// bytes, longest first, so a scan looks only at candidates.
	byPrefix map[string][]string
	seen     map[string]bool
	// pending values are registered but their forms not yet added.
	pending []string
	// first marks the bytes a registered form starts with.
	first [256]bool
}

// RegisterSecret makes Redact scrub v from everything printed from now on,
// in the forms a server or our own output may quote it in: as is, escaped
// inside a JSON string (once or twice), quoted as Go does (%q) and
// URL-encoded.
func RegisterSecret(v string) {
	if len(v) < MinRedactLen || len(v) > MaxRedactLen {
		return
	}
	redactions.mu.Lock()
	redactions.pending = append(redactions.pending, v)
	redactions.mu.Unlock()
}

// addPending registers the forms of the pending values; the caller holds
// the write lock. Registering is deferred to the first Redact so that
// loading many manifest literals costs an append each.
func addPending() {
	if redactions.byPrefix == nil {
		redactions.byPrefix = map[string][]string{}
		redactions.seen = map[string]bool{}
	}
	for _, v := range redactions.pending {
		if !redactions.seen[v] {
			addForms(v)
		}
	}
	redactions.pending = nil
}

func addForms(v string) {
	forms := []string{v, jsonInner(v, true), jsonInner(v, false), jsonInner(jsonInner(v, true), true),
		strings.Trim(strconv.Quote(v), `"`), url.QueryEscape(v), url.PathEscape(v)}
	for _, f := range forms {
		if len(f) < MinRedactLen || redactions.seen[f] {
			continue
		}
		redactions.seen[f] = true
		p := f[:MinRedactLen]
		list := append(redactions.byPrefix[p], f)
		slices.SortStableFunc(list, func(a, b string) int { return len(b) - len(a) })
		redactions.byPrefix[p] = list
		redactions.first[f[0]] = true
	}
}

// RegisterURLSecrets registers the password of a URL such as
// postgres://user:password@host/db, if it has one.
func RegisterURLSecrets(raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return
	}
	if p, ok := u.User.Password(); ok {
		RegisterSecret(p)
	}
}

// jsonInner is v as it appears inside a JSON string, without the quotes.
func jsonInner(v string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(v)
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(b.String(), `"`), "\n"), `"`)
}

// Redact returns s with every registered secret value replaced by
// Redacted.
func Redact(s string) string {
	b := RedactBytes([]byte(s))
	return string(b)
}

// RedactBytes is Redact for bytes; it returns p itself when p holds no
// secret.
func RedactBytes(p []byte) []byte {
	redactions.mu.RLock()
	if len(redactions.pending) > 0 {
		redactions.mu.RUnlock()
		redactions.mu.Lock()
		addPending()
		redactions.mu.Unlock()
		redactions.mu.RLock()
	}
	defer redactions.mu.RUnlock()
	if len(redactions.byPrefix) == 0 {
		return p
	}
	var out []byte
	last := 0 // p[last:i] is not yet copied to out
	for i := 0; i+MinRedactLen <= len(p); {
		if !redactions.first[p[i]] {
			i++
			continue
		}
		n := 0
		for _, f := range redactions.byPrefix[string(p[i:i+MinRedactLen])] {
			if len(p)-i >= len(f) && string(p[i:i+len(f)]) == f {
				n = len(f)
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		out = append(append(out, p[last:i]...), Redacted...)
		i += n
		last = i
	}
	if out == nil {
		return p
	}
	return append(out, p[last:]...)
}
