package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/routers"
)

// Server is the emulated Run:ai + Seqera API. It is an http.Handler; Serve
// runs it on a listener. All methods are safe for concurrent use.
type Server struct {
	opts   Options
	now    func() time.Time
	ids    *idGen
	router routers.Router

	extra      []*route
	specRoutes map[string]*route // by operationId

	mu sync.RWMutex // guards db
	db *db

	issuedMu sync.Mutex
	issued   []string // every client secret handed out, for tests

	deleting       []pendingDelete     // assets being deleted, by due time; guarded by mu
	pendingDeletes atomic.Int64        // len(deleting), read without mu
	absences       map[string]*absence // by absenceName; guarded by mu

	arrivals atomic.Uint64 // numbers routed requests for the fault streams
	limiter  rateLimiter
	counts   counters
	holds    holds // requests kept waiting (Hold)
	viol     violations

	persist *persister

	httpMu    sync.Mutex
	httpSrvs  []*http.Server
	closed    bool
	closeErr  error
	closeOnce sync.Once
}

// New builds a Server: it loads the spec, the data file when there is one,
// and seeds the organisation and credentials. It does not listen.
func New(opts Options) (*Server, error) {
	if opts.FailRate < 0 || opts.FailRate > 1 || opts.LostRate < 0 || opts.LostRate > 1 {
		return nil, fmt.Errorf("emulator: fail and lost rates must be between 0 and 1")
	}
	if opts.RateLimit < 0 || opts.Latency < 0 || opts.SyncDelay < 0 || opts.TokenTTL < 0 || opts.DeleteDelay < 0 {
		return nil, fmt.Errorf("emulator: rate limit, latency, sync delay, delete delay and token TTL cannot be negative")
	}
	switch opts.SeqeraShape {
	case "":
		opts.SeqeraShape = SeqeraShapeCurrent
	case SeqeraShapeCurrent, SeqeraShapeSeed:
	default:
		return nil, fmt.Errorf("emulator: Seqera shape %q is neither %q nor %q", opts.SeqeraShape, SeqeraShapeCurrent, SeqeraShapeSeed)
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Org == nil && opts.OrgFile != "" {
		org, err := LoadOrg(opts.OrgFile)
		if err != nil {
			return nil, err
		}
		opts.Org = org
	}
	s := &Server{opts: opts, now: opts.Now, ids: &idGen{seeded: opts.Seed != 0, seed: opts.Seed}, absences: map[string]*absence{}}
	if s.now == nil {
		s.now = time.Now
	}
	r, err := specRouter()
	if err != nil {
		return nil, err
	}
	s.router = r
	s.extra = s.extraRoutes()
	if s.specRoutes, err = s.buildSpecRoutes(); err != nil {
		return nil, err
	}
	if err := s.initDB(); err != nil {
		return nil, err
	}
	if opts.DataFile != "" {
		s.persist = newPersister(s, opts.DataFile)
		if err := s.persist.flushNow(); err != nil {
			return nil, err
		}
		s.persist.start()
	}
	return s, nil
}

// Listen opens a TCP listener on Options.Addr (default 127.0.0.1:8080).
func (s *Server) Listen() (net.Listener, error) {
	return net.Listen("tcp", s.opts.Addr)
}

// Serve answers requests on l until Close. It returns nil once the server
// is closed, and the listener's error otherwise.
func (s *Server) Serve(l net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.httpMu.Lock()
	if s.closed {
		s.httpMu.Unlock()
		_ = l.Close()
		return nil
	}
	s.httpSrvs = append(s.httpSrvs, hs)
	s.httpMu.Unlock()
	err := hs.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		_ = l.Close() // Close may have run before Serve took the listener
		return nil
	}
	return err
}

// Close stops every Serve, then writes the data file one last time. It is
// safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.httpMu.Lock()
		s.closed = true
		srvs := s.httpSrvs
		s.httpMu.Unlock()
		var errs []error
		for _, hs := range srvs {
			errs = append(errs, hs.Close())
		}
		if s.persist != nil {
			errs = append(errs, s.persist.stop())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// EnvLines returns the shell lines that point runai-sync at this emulator
// served at baseURL (for example "http://127.0.0.1:8080").
func (s *Server) EnvLines(baseURL string) []string {
	s.mu.RLock()
	id, secret, seqera := s.db.AdminClientID, s.db.AdminClientSecret, s.db.SeqeraToken
	s.mu.RUnlock()
	return []string{
		"export RUNAI_BASE_URL=" + shellQuote(baseURL),
		"export RUNAI_CLIENT_ID=" + shellQuote(id),
		"export RUNAI_CLIENT_SECRET=" + shellQuote(secret),
		"export TOWER_API_ENDPOINT=" + shellQuote(baseURL+"/api"),
		"export TOWER_ACCESS_TOKEN=" + shellQuote(seqera),
	}
}

// shellQuote leaves words of safe characters alone and single-quotes the
// rest.
func shellQuote(v string) string {
	safe := v != ""
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':' || r == '/' || r == '@' || r == '=') {
			safe = false
			break
		}
	}
	if safe {
		return v
	}
	out := "'"
	for _, r := range v {
		if r == '\'' {
			out += `'\''`
			continue
		}
		out += string(r)
	}
	return out + "'"
}

// Credentials returns the admin client id and secret and the Seqera token.
func (s *Server) Credentials() (clientID, clientSecret, seqeraToken string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.AdminClientID, s.db.AdminClientSecret, s.db.SeqeraToken
}
