package rest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

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

func TestCancelWhileWaiting(t *testing.T) {
	_, srv := serve(t, reply{status: 429, header: map[string]string{"Retry-After": "60"}})
	ctx, cancel := context.WithCancel(context.Background())
	var logged atomic.Int32
	c := &Client{BaseURL: srv.URL, Logf: func(string, ...any) {
		if logged.Add(1) == 1 {
			cancel() // Ctrl-C during the first wait
		}
	}}
	start := time.Now()
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/x"}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
	// The server asked for 60 s; a wait that ignored Ctrl-C would sit
	// through them. The bound is loose: this is no speed measurement.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Do returned %s after Ctrl-C: the wait did not end with the context", d)
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
