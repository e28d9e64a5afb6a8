package emulator

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// holds keeps requests of a route waiting until the test releases them, so
// that a scenario can stop a client mid-way (holding a lock, half-way
// through an apply) without guessing how long the machine takes.
type holds struct {
	mu sync.Mutex
	m  map[string]*hold
}

// hold is the hold of one route: the first pass requests go through, the
// rest wait until release is closed.
type hold struct {
	pass    int
	waiting int // requests waiting now
	release chan struct{}
}

// Hold makes requests to route (a key of Counts, such as "POST
// /api/v1/asset/credentials/password") wait, after the next pass of them
// have gone through, until Release(route). A waiting request counts as
// made (Counts) when it starts to wait; one whose client goes away stops
// waiting and is not carried out.
func (s *Server) Hold(route string, pass int) {
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	if s.holds.m == nil {
		s.holds.m = map[string]*hold{}
	}
	if h := s.holds.m[route]; h != nil {
		close(h.release)
	}
	s.holds.m[route] = &hold{pass: pass, release: make(chan struct{})}
}

// Release lets every request waiting on route's hold go on, and the
// requests after them through.
func (s *Server) Release(route string) {
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	if h := s.holds.m[route]; h != nil {
		close(h.release)
		delete(s.holds.m, route)
	}
}

// Held returns how many requests to route wait on its hold now: after a
// client is killed, a scenario waits for its request to leave (0) before
// it releases the route, so the request is never carried out.
func (s *Server) Held(route string) int {
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	if h := s.holds.m[route]; h != nil {
		return h.waiting
	}
	return 0
}

// wait holds request r to route while its hold lasts; it reports false
// when the client went away first. A held request's body is read first:
// only then does the server watch the connection and end the request's
// context when the client goes away.
func (h *holds) wait(r *http.Request, route string) bool {
	h.mu.Lock()
	hd := h.m[route]
	if hd == nil {
		h.mu.Unlock()
		return true
	}
	if hd.pass > 0 {
		hd.pass--
		h.mu.Unlock()
		return true
	}
	h.mu.Unlock()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.mu.Lock()
	hd.waiting++
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		hd.waiting--
		h.mu.Unlock()
	}()
	select {
	case <-hd.release:
		return true
	case <-r.Context().Done():
		return false
	}
}
