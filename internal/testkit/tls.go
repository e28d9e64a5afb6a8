package testkit

import (
	"encoding/pem"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TLSServer serves h over TLS on loopback with a self-signed certificate
// until the test ends, and counts the User-Agent of every request.
type TLSServer struct {
	*httptest.Server
	// CAFile is a PEM file of the certificate, for --ca-file.
	CAFile string

	mu     sync.Mutex
	agents map[string]int
}

// ServeTLS starts a TLSServer for h.
func ServeTLS(t testing.TB, h http.Handler) *TLSServer {
	t.Helper()
	s := &TLSServer{agents: map[string]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.agents[r.Header.Get("User-Agent")]++
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes
	s.StartTLS()
	t.Cleanup(s.Close)
	s.CAFile = filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(s.CAFile, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// Agents returns how many requests came with each User-Agent.
func (s *TLSServer) Agents() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.agents)
}
