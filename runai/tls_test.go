package runai

import (
	"errors"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestTLSWithCAFile serves the emulator over TLS with a self-signed
// certificate: trusted through --ca-file, refused without it (verification
// is always on, and a certificate error is not retried). It also checks
// the User-Agent of every request.
func TestTLSWithCAFile(t *testing.T) {
	t.Parallel()
	em, err := emulator.New(emulator.Options{ValidateResponses: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := testkit.ServeTLS(t, em)
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if v := em.ResponseViolations(); len(v) > 0 {
			t.Errorf("responses off the spec:\n%s", strings.Join(v, "\n"))
		}
	})
	id, secret, _ := em.Credentials()
	cfg := Config{BaseURL: srv.URL, ClientID: id, ClientSecret: manifest.NewSecret(secret), Settings: rest.Settings{UserAgent: "runai-sync/9.9.9 (test)"}}

	untrusted, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewProvider(untrusted).Snapshot(t.Context())
	var re *rest.Error
	if err == nil || !strings.Contains(err.Error(), "pass --ca-file") || !errors.As(err, &re) || re.Attempts != 1 {
		t.Errorf("without the CA file: %v (want one attempt failing on the certificate)", err)
	}

	cfg.CAFile = srv.CAFile
	trusted, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewProvider(trusted).Snapshot(t.Context()); err != nil {
		t.Fatalf("with the CA file: %v", err)
	}
	if agents := srv.Agents(); len(agents) != 1 || agents["runai-sync/9.9.9 (test)"] != 2 {
		t.Errorf("User-Agents seen: %v, want the configured one on the login and the list", agents)
	}
}
