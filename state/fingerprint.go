package state

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/runai-sync/runai-sync/manifest"
)

// FingerprintPrefix starts every fingerprint, naming the algorithm.
const FingerprintPrefix = "hmac-sha256:"

// saltLen is the length of a new state's salt, in bytes.
const saltLen = 32

// Fingerprinter turns secret values into fingerprints: keyed hashes that
// tell whether a value changed without revealing it.
//
// The key is RUNAI_SYNC_STATE_KEY when it is set (pass it as stateKey), else
// the state's random salt. With the environment key, a leaked state reveals
// nothing about the values, not even which of two states hold equal values:
// without the key no guess can be checked. Without it the salt is stored in
// the state next to the fingerprints, so whoever reads a leaked state can
// check guesses of a value (a weak or well-known secret may be found that
// way); the values themselves are never stored, and equal values in two
// states still have different fingerprints because each state has its own
// salt.
//
// Changing or losing the key changes every fingerprint: each recorded secret
// then looks changed (callers should treat that as unknown, not as drift).
// A Fingerprinter never prints its key.
type Fingerprinter struct {
	key []byte
	// keyed is an HMAC that has taken the key and nothing else: each sum
	// starts from a clone of it instead of hashing the key again.
	keyed hash.Cloner
}

// NewFingerprinter keys fingerprints with stateKey when it is not empty,
// else with d.Salt.
func NewFingerprinter(d *Data, stateKey string) Fingerprinter {
	key := []byte(stateKey)
	if stateKey == "" && d != nil {
		key = append([]byte(nil), d.Salt...)
	}
	f := Fingerprinter{key: key}
	keyed := hmac.New(sha256.New, key)
	keyed.Reset() // keeps the hash states of the padded key, which clones share
	f.keyed, _ = keyed.(hash.Cloner)
	return f
}

// mac returns an HMAC keyed with the fingerprinter's key.
func (f Fingerprinter) mac() hash.Hash {
	if f.keyed != nil {
		if c, err := f.keyed.Clone(); err == nil {
			return c
		}
	}
	return hmac.New(sha256.New, f.key)
}

// Sum returns "hmac-sha256:" followed by the hex HMAC-SHA256 of the value
// under the fingerprinter's key, or "" for an unset Secret (IsZero).
func (f Fingerprinter) Sum(v manifest.Secret) string {
	if v.IsZero() {
		return ""
	}
	return f.SumText(v.Reveal())
}

// SumText fingerprints a value that is not secret (an attribute the API may
// not return) like Sum, without making it a manifest.Secret, which would
// register it for scrubbing from all output.
func (f Fingerprinter) SumText(v string) string {
	m := f.mac()
	_, _ = io.WriteString(m, v)
	return FingerprintPrefix + hex.EncodeToString(m.Sum(nil))
}

// MAC authenticates data (a saved plan) with the fingerprinter's key:
// "hmac-sha256:" and the hex HMAC-SHA256 of a domain prefix and data, so
// that it never equals the fingerprint of a secret.
func (f Fingerprinter) MAC(data []byte) string {
	m := hmac.New(sha256.New, f.key)
	_, _ = io.WriteString(m, "runai-sync/mac\x00")
	_, _ = m.Write(data)
	return FingerprintPrefix + hex.EncodeToString(m.Sum(nil))
}

// KeyID identifies the key without revealing it: entries record it, so a
// changed or lost RUNAI_SYNC_STATE_KEY makes their fingerprints unknown
// rather than different (which would replace every credential).
func (f Fingerprinter) KeyID() string {
	m := hmac.New(sha256.New, f.key)
	_, _ = io.WriteString(m, "runai-sync/state key id")
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// String describes the fingerprinter without its key.
func (f Fingerprinter) String() string { return "state.Fingerprinter(" + manifest.Redacted + ")" }

// GoString is String, so %#v never shows the key.
func (f Fingerprinter) GoString() string { return f.String() }

// Format implements fmt.Formatter: every verb prints String.
func (f Fingerprinter) Format(s fmt.State, _ rune) { _, _ = io.WriteString(s, f.String()) }

// newSalt returns a fresh random salt.
func newSalt() ([]byte, error) {
	b := make([]byte, saltLen)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("making a salt for the state: %w", err)
	}
	return b, nil
}
