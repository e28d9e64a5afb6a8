package resource

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
// made: fromEnv, fromFile, any later secret source, a literal in a manifest
// (when the Resolver resolves it: a SecretRef may hold a key that is not
// secret, such as a Seqera username, and NewPublicValue registers nothing),
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
	// counts holds the registered values and how many times each was
	// registered (ReleaseSecret undoes one).
	counts map[string]int
	// pending values are registered but their forms not yet indexed;
	// stale says the index holds forms of released values.
	pending []string
	stale   bool
	// byPrefix holds the forms of the values by their first MinRedactLen
	// bytes, longest first, so a scan looks only at candidates.
	byPrefix map[string][]string
	// first marks the bytes a form starts with.
	first [256]bool
}

// RegisterSecret makes Redact scrub v from everything printed from now on,
// in the forms a server or our own output may quote it in: as is, escaped
// inside a JSON string (once or twice), quoted as Go does (%q) and
// URL-encoded. It is cheap: the forms are indexed at the next Redact.
func RegisterSecret(v string) {
	if len(v) < MinRedactLen || len(v) > MaxRedactLen {
		return
	}
	redactions.mu.Lock()
	defer redactions.mu.Unlock()
	if redactions.counts == nil {
		redactions.counts = map[string]int{}
	}
	redactions.counts[v]++
	if redactions.counts[v] == 1 {
		redactions.pending = append(redactions.pending, v)
	}
}

// ReleaseSecret undoes one RegisterSecret (or NewSecret) of v, for a value
// that came through a secret source but is not secret (a Seqera username
// given with fromEnv): the output may show it again, unless it was also
// registered as a secret elsewhere.
func ReleaseSecret(v string) {
	redactions.mu.Lock()
	defer redactions.mu.Unlock()
	if redactions.counts[v] == 0 {
		return
	}
	redactions.counts[v]--
	if redactions.counts[v] == 0 {
		delete(redactions.counts, v)
		redactions.stale = true
	}
}

// index brings byPrefix up to date; the caller holds the write lock.
func index() {
	if redactions.stale || redactions.byPrefix == nil {
		redactions.byPrefix = map[string][]string{}
		redactions.first = [256]bool{}
		redactions.pending = redactions.pending[:0]
		for v := range redactions.counts {
			redactions.pending = append(redactions.pending, v)
		}
		redactions.stale = false
	}
	for _, v := range redactions.pending {
		if redactions.counts[v] > 0 {
			addForms(v)
		}
	}
	redactions.pending = nil
}

func addForms(v string) {
	forms := []string{v, jsonInner(v, true), jsonInner(v, false), jsonInner(jsonInner(v, true), true),
		strings.Trim(strconv.Quote(v), `"`), url.QueryEscape(v), url.PathEscape(v)}
	for _, f := range forms {
		if len(f) < MinRedactLen {
			continue
		}
		p := f[:MinRedactLen]
		list := redactions.byPrefix[p]
		if slices.Contains(list, f) {
			continue
		}
		list = append(list, f)
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
	if len(redactions.pending) > 0 || redactions.stale {
		redactions.mu.RUnlock()
		redactions.mu.Lock()
		index()
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
