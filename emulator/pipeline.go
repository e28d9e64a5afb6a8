package emulator

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxBody bounds request bodies.
const maxBody = 16 << 20

// ServeHTTP runs one request through the pipeline: route, count, hold, latency,
// rate limit, fail-rate, authentication, validation, authorization, handler, lost-rate,
// response validation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	rt, params, err := s.match(r)
	if err != nil {
		s.counts.add(r.Method + " (no route)")
		rep := errorReply(flavorRunai, http.StatusNotFound, "no route for %s %s", r.Method, r.URL.Path)
		if errors.Is(err, errMethod) {
			rep = errorReply(flavorRunai, http.StatusMethodNotAllowed, "method %s is not allowed on %s", r.Method, r.URL.Path)
		}
		s.finish(w, r, nil, rep, start)
		return
	}
	s.counts.add(rt.key())
	if !s.holds.wait(r, rt.key()) {
		return // the client went away while the test held the route
	}
	n := s.arrivals.Add(1) - 1

	if d := s.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	now := s.now()
	if wait, limited := s.limiter.take(now, s.opts.RateLimit); limited {
		rep := errorReply(rt.flavor, http.StatusTooManyRequests, "rate limit of %d requests per second exceeded", s.opts.RateLimit)
		rep.retryAfter, rep.pipeline = wait, true
		s.finish(w, r, rt, rep, start)
		return
	}
	if s.decide(streamFail, n, s.opts.FailRate) {
		rep := errorReply(rt.flavor, http.StatusServiceUnavailable, "service unavailable (emulated failure); try again")
		rep.pipeline = true
		s.finish(w, r, rt, rep, start)
		return
	}
	c := &call{s: s, r: r, params: params, query: r.URL.Query(), now: now, flavor: rt.flavor}
	if rep, failed := s.authenticate(c, rt.auth); failed {
		rep.pipeline = true
		s.finish(w, r, rt, rep, start)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		rep := c.fail(http.StatusBadRequest, "request body unreadable or larger than %d bytes", maxBody)
		rep.pipeline = true
		s.finish(w, r, rt, rep, start)
		return
	}
	c.body = body
	if rt.spec != nil {
		if msg := s.validateRequest(c, rt); msg != "" {
			rep := c.fail(http.StatusBadRequest, "%s", msg)
			rep.pipeline = true
			s.finish(w, r, rt, rep, start)
			return
		}
	}
	s.reap(now)
	if rep := s.authorize(c, rt); rep != nil {
		rep.pipeline = true
		s.finish(w, r, rt, *rep, start)
		return
	}
	rep := rt.fn(c)
	if rt.mutation && rep.status < 300 && s.decide(streamLost, n, s.opts.LostRate) {
		rep = errorReply(rt.flavor, http.StatusServiceUnavailable, "service unavailable (emulated: reply lost)")
		rep.pipeline = true
	}
	s.finish(w, r, rt, rep, start)
}

// decide is the fault decision of stream for the n-th routed request: a
// pure function of (Seed, stream, n), so a sequential client meets the same
// faults on every run with the same seed.
func (s *Server) decide(stream, n uint64, rate float64) bool {
	if rate <= 0 {
		return false
	}
	return unitFloat(draw(s.opts.Seed, stream, n)) < rate
}

// finish encodes, optionally validates, writes and logs a reply.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, rt *route, rep reply, start time.Time) {
	body, err := rep.encode()
	if err != nil {
		rep = errorReply(flavorRunai, http.StatusInternalServerError, "encode reply: %v", err)
		body, _ = rep.encode()
	}
	if s.opts.ValidateResponses && rt != nil && rt.spec != nil {
		s.validateResponse(r, rt, rep, body)
	}
	writeReply(w, rep, body)
	if s.opts.Logf != nil {
		s.opts.Logf("%s %s -> %d (%s)", r.Method, r.URL.RequestURI(), rep.status, time.Since(start).Round(time.Microsecond))
	}
}
