package manifest_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

func TestRedactScrubsEveryForm(t *testing.T) {
	v := `pa"ss<w>rd\&` + t.Name()
	_ = manifest.NewSecret(v)
	once, _ := json.Marshal(v)
	twice, _ := json.Marshal(string(once))
	for _, text := range []string{
		"bad request body: {\"password\":\"" + v + "\"}",
		"bad request body: " + string(once),
		`{"message":` + string(twice) + `}`,
		fmt.Sprintf("server said %q", v),
		"postgres://u:" + url.QueryEscape(v) + "@host/db",
	} {
		got := manifest.Redact(text)
		if strings.Contains(got, t.Name()) {
			t.Errorf("Redact(%s) = %s: the value shows", text, got)
		}
		if !strings.Contains(got, manifest.Redacted) {
			t.Errorf("Redact(%s) = %s: no redaction marker", text, got)
		}
	}
}

func TestRedactPrefersTheLongestValue(t *testing.T) {
	manifest.RegisterSecret("prefix-" + t.Name())
	manifest.RegisterSecret("prefix-" + t.Name() + "-and-more")
	got := manifest.Redact("x prefix-" + t.Name() + "-and-more y")
	if got != "x "+manifest.Redacted+" y" {
		t.Fatalf("got %q", got)
	}
}

func TestRedactLeavesShortValuesAndOtherText(t *testing.T) {
	manifest.RegisterSecret("abc")
	manifest.RegisterURLSecrets("postgres://user:db-pass-" + t.Name() + "@host/db")
	text := "abc Plan: 1 to create"
	if got := manifest.Redact(text); got != text {
		t.Fatalf("Redact(%q) = %q", text, got)
	}
	if got := manifest.Redact("pw db-pass-" + t.Name()); got != "pw "+manifest.Redacted {
		t.Fatalf("the URL's password shows: %q", got)
	}
}

func TestReleaseSecretUndoesOneRegistration(t *testing.T) {
	v := "released-" + t.Name()
	manifest.RegisterSecret(v)
	manifest.RegisterSecret(v) // a second holder: a real secret elsewhere
	manifest.ReleaseSecret(v)
	if got := manifest.Redact(v); got != manifest.Redacted {
		t.Fatalf("released once of twice: %q shows", got)
	}
	manifest.ReleaseSecret(v)
	if got := manifest.Redact(v); got != v {
		t.Fatalf("released as often as registered: %q, want the value", got)
	}
	// A released value does not take others with it.
	other := "kept-" + t.Name()
	_ = manifest.NewSecret(other)
	if got := manifest.Redact(other); got != manifest.Redacted {
		t.Fatalf("%q shows", got)
	}
}
