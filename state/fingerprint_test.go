package state

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

func TestFingerprints(t *testing.T) {
	saltA := &Data{Salt: []byte("salt-a-0123456789abcdef0123456789")}
	saltB := &Data{Salt: []byte("salt-b-0123456789abcdef0123456789")}
	v := manifest.NewSecret("correct horse battery staple")
	sum := func(d *Data, key string, s manifest.Secret) string { return NewFingerprinter(d, key).Sum(s) }
	for _, tc := range []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"same value, same salt", sum(saltA, "", v), sum(saltA, "", manifest.NewSecret("correct horse battery staple")), true},
		{"same value, other salt", sum(saltA, "", v), sum(saltB, "", v), false},
		{"other value, same salt", sum(saltA, "", v), sum(saltA, "", manifest.NewSecret("correct horse battery stapler")), false},
		{"env key wins over the salt", sum(saltA, "k1", v), sum(saltB, "k1", v), true},
		{"other env key", sum(saltA, "k1", v), sum(saltA, "k2", v), false},
		{"env key or salt", sum(saltA, "k1", v), sum(saltA, "", v), false},
	} {
		if (tc.a == tc.b) != tc.equal {
			t.Errorf("%s: %s vs %s, want equal=%v", tc.name, tc.a, tc.b, tc.equal)
		}
	}
	// Known answer: HMAC-SHA256 with key "key" of "The quick brown fox
	// jumps over the lazy dog" (RFC 4231 style test vector).
	got := NewFingerprinter(nil, "key").Sum(manifest.NewSecret("The quick brown fox jumps over the lazy dog"))
	if want := "hmac-sha256:f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"; got != want {
		t.Errorf("Sum = %s, want %s", got, want)
	}
	if !regexp.MustCompile(`^hmac-sha256:[0-9a-f]{64}$`).MatchString(sum(saltA, "", manifest.NewSecret(""))) {
		t.Error("an empty value has no fingerprint")
	}
	if got := sum(saltA, "", manifest.Secret{}); got != "" {
		t.Errorf("an unset Secret has fingerprint %q, want none", got)
	}
	// The salt given is copied: changing it later changes nothing.
	d := &Data{Salt: []byte("mutable-salt")}
	f := NewFingerprinter(d, "")
	before := f.Sum(v)
	d.Salt[0] = 'X'
	if f.Sum(v) != before {
		t.Error("the fingerprinter shares the salt's bytes")
	}
}

func TestFingerprinterNeverPrintsItsKey(t *testing.T) {
	f := NewFingerprinter(&Data{Salt: []byte("the-salt")}, "the-env-key")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if s := fmt.Sprintf(verb, f); strings.Contains(s, "the-env-key") || strings.Contains(s, fmt.Sprintf("%x", "the-env-key")) {
			t.Errorf("%s shows the key: %s", verb, s)
		}
	}
}

// Sums made from the keyed clone equal a plain HMAC of the value, also
// when many are made at once.
func TestFingerprintsAreHMACs(t *testing.T) {
	f := NewFingerprinter(&Data{Salt: []byte("salt-of-this-state")}, "")
	want := func(v string) string {
		m := hmac.New(sha256.New, []byte("salt-of-this-state"))
		m.Write([]byte(v))
		return FingerprintPrefix + hex.EncodeToString(m.Sum(nil))
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				v := fmt.Sprintf("value-%d-%d", i, j)
				if got := f.SumText(v); got != want(v) {
					t.Errorf("SumText(%q) = %s, want %s", v, got, want(v))
				}
			}
		})
	}
	wg.Wait()
}
