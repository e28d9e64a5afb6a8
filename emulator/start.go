package emulator

import (
	"net"
	"strings"
)

// TB is the part of testing.TB that Start uses, so this package does not
// import "testing".
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(string, ...any)
	Errorf(string, ...any)
}

// Instance is a running emulator started by Start.
type Instance struct {
	URL          string // http://127.0.0.1:PORT (RUNAI_BASE_URL)
	ClientID     string // the admin client id
	ClientSecret string // the admin client secret
	SeqeraURL    string // URL + "/api" (TOWER_API_ENDPOINT)
	SeqeraToken  string // TOWER_ACCESS_TOKEN
	Server       *Server
}

// Start runs an emulator on 127.0.0.1 with a free port for the length of a
// test. Options.Addr is ignored and ValidateResponses is forced on; the
// cleanup closes the server and reports every response that did not
// validate against the spec with tb.Errorf.
func Start(tb TB, opts Options) *Instance {
	tb.Helper()
	opts.ValidateResponses = true
	opts.Addr = "127.0.0.1:0"
	s, err := New(opts)
	if err != nil {
		tb.Fatalf("emulator: %v", err)
		return nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = s.Close()
		tb.Fatalf("emulator: listen: %v", err)
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("emulator: close: %v", err)
		}
		if err := <-done; err != nil {
			tb.Errorf("emulator: serve: %v", err)
		}
		if v := s.ResponseViolations(); len(v) > 0 {
			tb.Errorf("emulator: %d responses did not validate against the spec:\n%s", len(v), strings.Join(v, "\n"))
		}
	})
	id, secret, seqera := s.Credentials()
	url := "http://" + l.Addr().String()
	return &Instance{URL: url, ClientID: id, ClientSecret: secret, SeqeraURL: url + "/api", SeqeraToken: seqera, Server: s}
}
