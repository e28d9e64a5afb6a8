package rest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/manifest"
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
		{"redirect", reply{status: 301, header: map[string]string{"Location": "https://api.example/x"}}, `GET /x: 301 Moved Permanently (the server redirects to https://api.example/x: set the base URL to https://api.example)`},
		{"redirect under a path", reply{status: 308, header: map[string]string{"Location": "https://api.example/tower/x"}}, `GET /x: 308 Permanent Redirect (the server redirects to https://api.example/tower/x: set the base URL to https://api.example/tower)`},
		{"redirect elsewhere", reply{status: 302, header: map[string]string{"Location": "https://sso.example/login"}}, `GET /x: 302 Found (the server redirects to https://sso.example/login, and redirects are not followed: set the base URL to the address where the API answers, without a redirect)`},
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

func TestErrorOutReceivesTheFinalReply(t *testing.T) {
	type conflict struct {
		ID        string `json:"credentialsId"`
		Conflicts []struct {
			Name string `json:"name"`
		} `json:"conflicts"`
	}
	tests := []struct {
		name    string
		replies []reply
		want    conflict
	}{
		{"final 409", []reply{{status: 409, body: `{"credentialsId":"c1","conflicts":[{"name":"nf-run-1"}]}`}},
			conflict{ID: "c1", Conflicts: []struct {
				Name string `json:"name"`
			}{{"nf-run-1"}}}},
		{"503s before it are not decoded", []reply{{status: 503, body: `{"credentialsId":"busy"}`}, {status: 409, body: `{"message":"in use"}`}}, conflict{}},
		{"gave up", []reply{{status: 503, body: `{"credentialsId":"busy"}`}}, conflict{ID: "busy"}},
		{"not JSON", []reply{{status: 409, body: `<html>`}}, conflict{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := serve(t, tt.replies...)
			var sl sleeps
			p := fastPolicy(&sl)
			p.MaxAttempts = 3
			c := &Client{BaseURL: srv.URL, Retry: p}
			var got conflict
			if _, err := c.Do(context.Background(), Request{Method: "DELETE", Path: "/x", ErrorOut: &got}, nil); err == nil {
				t.Fatal("want an error")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ErrorOut (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRateLimitDoesNotUseUpAttempts: a request paced with many 429s still
// gets its MaxAttempts tries at real failures.
func TestRateLimitDoesNotUseUpAttempts(t *testing.T) {
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		switch {
		case n <= 5:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case n <= 6:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), Retry: RetryPolicy{MaxAttempts: 2, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond,
		Sleep: func(context.Context, time.Duration) error { return nil }}}
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); err != nil {
		t.Fatalf("five 429s and one 503 with 2 attempts: %v", err)
	}
	if n != 7 {
		t.Errorf("%d requests, want 7", n)
	}
}

// A server message is scrubbed before it is cut to its 500 bytes, so a
// secret that straddles the cut leaves no prefix behind.
func TestServerMessageScrubbedBeforeTruncation(t *testing.T) {
	secret := "straddling-secret-" + t.Name()
	manifest.RegisterSecret(secret)
	msg := strings.Repeat("x", maxMessage-8) + " " + secret
	got := serverMessage(400, []byte(`{"message":"`+msg+`"}`))
	if strings.Contains(got, secret[:6]) {
		t.Fatalf("a prefix of the secret shows: %q", got[len(got)-40:])
	}
}
