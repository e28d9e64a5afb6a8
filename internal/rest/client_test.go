package rest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sleeps records the waits of a client instead of sleeping them.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// fastPolicy retries without waiting, recording the waits in s.
func fastPolicy(s *sleeps) RetryPolicy {
	return RetryPolicy{BaseDelay: time.Microsecond, MaxDelay: 10 * time.Microsecond, Sleep: s.sleep}
}

// script is a handler that answers each request with the next reply.
type script struct {
	mu      sync.Mutex
	replies []reply
	seen    []seen
}

type reply struct {
	status int
	body   string
	header map[string]string
	hangup bool // close the connection without an answer
}

type seen struct {
	Method, Path, Query, Body, Auth, UserAgent, ContentType string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.seen = append(s.seen, seen{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("Content-Type")})
	rep := reply{status: 200, body: `{}`}
	if len(s.replies) > 0 {
		rep = s.replies[0]
		if len(s.replies) > 1 {
			s.replies = s.replies[1:]
		}
	}
	s.mu.Unlock()
	if rep.hangup {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

func (s *script) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.seen...)
}

func serve(t *testing.T, replies ...reply) (*script, *httptest.Server) {
	t.Helper()
	s := &script{replies: replies}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func TestDoSendsAndDecodes(t *testing.T) {
	s, srv := serve(t, reply{status: 202, body: `{"id":"a1","n":3}`})
	c := &Client{BaseURL: srv.URL + "/", UserAgent: "runai-sync/1.2.3 (test)", Auth: NewBearerToken("tok")}
	var out struct {
		ID string `json:"id"`
		N  int    `json:"n"`
	}
	resp, err := c.Do(context.Background(), Request{Method: "POST", Path: "/api/x", Query: url.Values{"b": {"2"}, "a": {"1"}}, Body: map[string]string{"k": "v"}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 202 || resp.Attempts != 1 || resp.MaybeApplied {
		t.Errorf("response = %+v", resp)
	}
	if out.ID != "a1" || out.N != 3 {
		t.Errorf("decoded %+v", out)
	}
	want := []seen{{"POST", "/api/x", "a=1&b=2", `{"k":"v"}`, "Bearer tok", "runai-sync/1.2.3 (test)", "application/json"}}
	if diff := cmp.Diff(want, s.requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestDoEmptyReplyAndNoBody(t *testing.T) {
	s, srv := serve(t, reply{status: 204})
	c := &Client{BaseURL: srv.URL}
	var out map[string]any
	resp, err := c.Do(context.Background(), Request{Method: "DELETE", Path: "/x/1"}, &out)
	if err != nil || resp.Status != 204 || out != nil {
		t.Fatalf("Do = %+v, %v, out %v", resp, err, out)
	}
	if got := s.requests()[0]; got.ContentType != "" || got.Auth != "" || got.Body != "" {
		t.Errorf("request = %+v", got)
	}
}

func TestRetries(t *testing.T) {
	busy := reply{status: 503, body: `{"code":503,"message":"try again"}`}
	tests := []struct {
		name     string
		method   string
		replies  []reply
		attempts int  // requests the server sees
		ok       bool // final outcome
		status   int
		maybe    bool
	}{
		{"503 then success", "GET", []reply{busy, busy, {status: 200}}, 3, true, 200, false},
		{"every retryable status", "GET", []reply{{status: 429}, {status: 500}, {status: 502}, {status: 503}, {status: 504}, {status: 200}}, 6, true, 200, false},
		{"400 is final", "GET", []reply{{status: 400, body: `{"code":400,"message":"bad"}`}}, 1, false, 400, false},
		{"404 is final", "DELETE", []reply{{status: 404}}, 1, false, 404, false},
		{"bounded attempts", "GET", []reply{busy}, 4, false, 503, false},
		{"POST 503 then 409 may be applied", "POST", []reply{busy, {status: 409}}, 2, false, 409, true},
		{"POST 429 then 409 was not applied", "POST", []reply{{status: 429}, {status: 409}}, 2, false, 409, false},
		{"POST clean 409", "POST", []reply{{status: 409}}, 1, false, 409, false},
		{"PUT 503 then 409 is idempotent", "PUT", []reply{busy, {status: 409}}, 2, false, 409, false},
		{"POST 503 then success", "POST", []reply{busy, {status: 201}}, 2, true, 201, true},
		{"PATCH hang-up after write", "PATCH", []reply{{hangup: true}, {status: 409}}, 2, false, 409, true},
		{"GET hang-up then success", "GET", []reply{{hangup: true}, {status: 200}}, 2, true, 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := serve(t, tt.replies...)
			var sl sleeps
			p := fastPolicy(&sl)
			p.MaxAttempts = 4
			if tt.name == "every retryable status" {
				p.MaxAttempts = 6
			}
			c := &Client{BaseURL: srv.URL, Retry: p}
			resp, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/x", Body: map[string]int{"a": 1}}, nil)
			if got := len(s.requests()); got != tt.attempts {
				t.Errorf("server saw %d requests, want %d", got, tt.attempts)
			}
			if len(sl.all()) != tt.attempts-1 {
				t.Errorf("slept %d times, want %d", len(sl.all()), tt.attempts-1)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if resp.Status != tt.status || resp.Attempts != tt.attempts || resp.MaybeApplied != tt.maybe {
					t.Errorf("response = %+v", resp)
				}
				return
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if re.Status != tt.status || re.Attempts != tt.attempts || re.MaybeApplied != tt.maybe {
				t.Errorf("error = %+v", re)
			}
			if !strings.HasPrefix(re.Error(), tt.method+" /x: ") {
				t.Errorf("error %q does not name the request", re)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		rep  reply
		want string
	}{
		{"code and message", reply{status: 409, body: `{"code":409,"message":"a password credential named \"x\" already exists"}`}, `GET /x: 409 a password credential named "x" already exists`},
		{"message only", reply{status: 403, body: `{"message":"Forbidden:  no  access"}`}, `GET /x: 403 Forbidden: no access`},
		{"not JSON", reply{status: 404, body: `<html>nope</html>`}, `GET /x: 404 Not Found`},
		{"empty", reply{status: 412}, `GET /x: 412 Precondition Failed`},
		{"redirect", reply{status: 301, header: map[string]string{"Location": "https://api.example/x"}}, `GET /x: 301 Moved Permanently (redirected to https://api.example/x: use that URL as the base URL)`},
		{"gave up", reply{status: 503}, `GET /x: 503 Service Unavailable (gave up after 2 attempts)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := serve(t, tt.rep)
			var sl sleeps
			p := fastPolicy(&sl)
			p.MaxAttempts = 2
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			c := &Client{BaseURL: srv.URL, HTTP: hc, Retry: p}
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant   %s", err, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	date := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	_, srv := serve(t,
		reply{status: 429, header: map[string]string{"Retry-After": "3"}},
		reply{status: 503, header: map[string]string{"Retry-After": date}},
		reply{status: 200})
	var sl sleeps
	c := &Client{BaseURL: srv.URL, Retry: fastPolicy(&sl)}
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); err != nil {
		t.Fatal(err)
	}
	got := sl.all()
	if len(got) != 2 || got[0] != 3*time.Second || got[1] < 25*time.Second || got[1] > 30*time.Second {
		t.Errorf("waits = %v, want [3s ~30s]", got)
	}
}

func TestRetryAfterBeyondBudget(t *testing.T) {
	s, srv := serve(t, reply{status: 429, header: map[string]string{"Retry-After": "3600"}})
	var sl sleeps
	p := fastPolicy(&sl)
	p.MaxElapsed = time.Minute
	c := &Client{BaseURL: srv.URL, Retry: p}
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil)
	var re *Error
	if !errors.As(err, &re) || re.Status != 429 || len(s.requests()) != 1 || len(sl.all()) != 0 {
		t.Fatalf("Do = %v after %d requests and %v waits", err, len(s.requests()), sl.all())
	}
	if !strings.Contains(err.Error(), "retry budget of 1m0s") {
		t.Errorf("error %q does not explain why it stopped", err)
	}
}

func TestBackoffGrowsWithFullJitter(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for n, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		var maxSeen time.Duration
		for range 200 {
			d := p.backoff(n)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %s, outside [0, %s]", n, d, ceiling)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceiling/2 {
			t.Errorf("backoff(%d) never came near its ceiling %s (max %s)", n, ceiling, maxSeen)
		}
	}
	if d := p.delay(1, 5*time.Second); d != 5*time.Second {
		t.Errorf("delay with Retry-After 5s = %s", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"Fri, 02 Jan 2026 03:04:00 GMT": 0,
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens: connection refused
	var sl sleeps
	p := fastPolicy(&sl)
	p.MaxAttempts = 3
	c := &Client{BaseURL: "http://" + addr, Retry: p}
	_, err = c.Do(context.Background(), Request{Method: "POST", Path: "/x", Body: 1}, nil)
	var re *Error
	if !errors.As(err, &re) || re.Attempts != 3 || re.Status != 0 {
		t.Fatalf("Do = %#v", err)
	}
	if re.MaybeApplied {
		t.Errorf("a refused connection cannot have applied anything")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not unwrap to ECONNREFUSED", err)
	}
	if strings.Contains(err.Error(), "http://") {
		t.Errorf("error %q repeats the URL", err)
	}
}

// countingAuth hands out token-1, token-2, … and counts invalidations.
type countingAuth struct {
	mu          sync.Mutex
	n           int
	invalidated int
	renewable   bool
}

func (a *countingAuth) Authorize(_ context.Context, r *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == 0 {
		a.n = 1
	}
	r.Header.Set("Authorization", "Bearer token-"+string(rune('0'+a.n)))
	return nil
}

func (a *countingAuth) Invalidate(*http.Request) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.invalidated++
	a.n++
	return a.renewable
}

func TestUnauthorized(t *testing.T) {
	deny := reply{status: 401, body: `{"code":401,"message":"token expired"}`}
	tests := []struct {
		name      string
		renewable bool
		replies   []reply
		auths     []string
		wantErr   string
	}{
		{"fresh token succeeds", true, []reply{deny, {status: 200}}, []string{"Bearer token-1", "Bearer token-2"}, ""},
		{"second 401 is final", true, []reply{deny, deny, {status: 200}}, []string{"Bearer token-1", "Bearer token-2"}, "GET /x: 401 token expired: the credentials were rejected"},
		{"static token is not retried", false, []reply{deny, {status: 200}}, []string{"Bearer token-1"}, "GET /x: 401 token expired: the credentials were rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := serve(t, tt.replies...)
			var sl sleeps
			auth := &countingAuth{renewable: tt.renewable}
			c := &Client{BaseURL: srv.URL, Auth: auth, Retry: fastPolicy(&sl)}
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil)
			var got []string
			for _, r := range s.requests() {
				got = append(got, r.Auth)
			}
			if diff := cmp.Diff(tt.auths, got); diff != "" {
				t.Errorf("Authorization headers (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Do: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("error = %v, want %s", err, tt.wantErr)
			}
			if len(sl.all()) != 0 {
				t.Errorf("a 401 must not back off: waits %v", sl.all())
			}
		})
	}
}

func TestAuthorizerErrorIsReturned(t *testing.T) {
	s, srv := serve(t)
	boom := errors.New("log in: check RUNAI_CLIENT_ID")
	c := &Client{BaseURL: srv.URL, Auth: failingAuth{boom}}
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); !errors.Is(err, boom) {
		t.Errorf("Do = %v, want the authorizer's error", err)
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests sent without authorization", n)
	}
}

type failingAuth struct{ err error }

func (f failingAuth) Authorize(context.Context, *http.Request) error { return f.err }
func (f failingAuth) Invalidate(*http.Request) bool                  { return false }

func TestCancelWhileWaiting(t *testing.T) {
	_, srv := serve(t, reply{status: 429, header: map[string]string{"Retry-After": "60"}})
	ctx, cancel := context.WithCancel(context.Background())
	var logged atomic.Int32
	c := &Client{BaseURL: srv.URL, Logf: func(string, ...any) {
		if logged.Add(1) == 1 {
			cancel() // Ctrl-C during the first wait
		}
	}}
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/x"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
}

func TestCancelInFlight(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // the server notices a hang-up once the body is read
		close(arrived)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	c := &Client{BaseURL: srv.URL}
	_, err := c.Do(ctx, Request{Method: "POST", Path: "/x", Body: 1}, nil)
	var re *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &re) {
		t.Fatalf("Do = %v, want an *Error wrapping context.Canceled", err)
	}
	if !re.MaybeApplied {
		t.Errorf("a POST cancelled after it was written may have been applied")
	}
}

func TestLogsNeverShowBodiesOrHeaders(t *testing.T) {
	const secret = "s3cr3t-value-42"
	_, srv := serve(t, reply{status: 503, body: `{"message":"busy"}`}, reply{status: 400, body: `{"message":"field spec.password is invalid"}`})
	var lines []string
	var sl sleeps
	c := &Client{BaseURL: srv.URL, Auth: NewBearerToken("tok-" + secret), Retry: fastPolicy(&sl),
		Logf: func(f string, a ...any) {
			b, _ := json.Marshal(a)
			lines = append(lines, f+string(b))
		}}
	_, err := c.Do(context.Background(), Request{Method: "POST", Path: "/api/x", Body: map[string]string{"password": secret}}, nil)
	if err == nil {
		t.Fatal("want an error")
	}
	if len(lines) != 2 {
		t.Errorf("want one log line per attempt, got %q", lines)
	}
	for _, s := range append(lines, err.Error()) {
		if strings.Contains(s, secret) {
			t.Errorf("secret in %q", s)
		}
	}
	if got := NewBearerToken(secret); strings.Contains(got.String()+got.GoString(), secret) {
		t.Errorf("BearerToken shows its token")
	}
}

func TestBadPath(t *testing.T) {
	c := &Client{BaseURL: "http://127.0.0.1:1"}
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "x"}, nil); err == nil {
		t.Error("a relative path must be refused")
	}
}
