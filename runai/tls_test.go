package runai

import (
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
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
	var mu sync.Mutex
	agents := map[string]int{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.Header.Get("User-Agent")]++
		mu.Unlock()
		em.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	t.Cleanup(func() {
		srv.Close()
		if err := em.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if v := em.ResponseViolations(); len(v) > 0 {
			t.Errorf("responses off the spec:\n%s", strings.Join(v, "\n"))
		}
	})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	id, secret, _ := em.Credentials()
	cfg := Config{BaseURL: srv.URL, ClientID: id, ClientSecret: manifest.NewSecret(secret), UserAgent: "runai-sync/9.9.9 (test)"}

	untrusted, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewProvider(untrusted).Snapshot(t.Context())
	var re *rest.Error
	if err == nil || !strings.Contains(err.Error(), "pass --ca-file") || !errors.As(err, &re) || re.Attempts != 1 {
		t.Errorf("without the CA file: %v (want one attempt failing on the certificate)", err)
	}

	cfg.CAFile = ca
	trusted, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewProvider(trusted).Snapshot(t.Context()); err != nil {
		t.Fatalf("with the CA file: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(agents) != 1 || agents["runai-sync/9.9.9 (test)"] != 2 {
		t.Errorf("User-Agents seen: %v, want the configured one on the login and the list", agents)
	}
}
