package emulator

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A held route lets its first requests through and keeps the rest waiting
// until it is released; a waiting request whose client goes away is not
// carried out.
func TestHoldKeepsRequestsUntilReleased(t *testing.T) {
	in, c := start(t, Options{})
	const route = "GET /api/v1/asset/credentials"
	in.Server.Hold(route, 1)
	c.must(http.StatusOK, "GET", "/api/v1/asset/credentials", nil)

	done := make(chan resp, 1)
	go func() { done <- c.do("GET", "/api/v1/asset/credentials", nil) }()
	waitCount(t, in.Server, route, 2)
	select {
	case r := <-done:
		t.Fatalf("a held request was answered (%d) before the release", r.status)
	default:
	}
	in.Server.Release(route)
	if r := <-done; r.status != http.StatusOK {
		t.Fatalf("released request: %d %s", r.status, r.body)
	}

	in.Server.Hold(route, 0)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", in.URL+"/api/v1/asset/credentials", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	gone := make(chan error, 1)
	go func() {
		_, err := http.DefaultClient.Do(req)
		gone <- err
	}()
	waitCount(t, in.Server, route, 3)
	for in.Server.Held(route) != 1 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-gone; err == nil {
		t.Fatal("a request whose client went away was answered")
	}
	for deadline := time.Now().Add(10 * time.Second); in.Server.Held(route) != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request of a client that went away still waits")
		}
	}
	in.Server.Release(route)
	c.must(http.StatusOK, "GET", "/api/v1/asset/credentials", nil)
}

// waitCount waits until route has n requests, for at most 10 s.
func waitCount(t *testing.T, s *Server, route string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.Counts()[route] < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d requests, want %d", route, s.Counts()[route], n)
		}
	}
}
