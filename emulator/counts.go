package emulator

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// counters counts requests per route template ("GET /api/credentials").
type counters struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counters) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[key]++
}

func (c *counters) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}

func (c *counters) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.m {
		n += v
	}
	return n
}

func (c *counters) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

// Counts returns the number of requests per route template since start or
// the last ResetCounts, for example "GET /api/v1/asset/credentials" or
// "DELETE /api/v1/asset/credentials/generic-secret/{AssetId}". Requests that
// match no route count under "<METHOD> (no route)". Admin requests are not
// counted.
func (s *Server) Counts() map[string]int {
	m := s.counts.snapshot()
	if m == nil {
		m = map[string]int{}
	}
	return m
}

// Routes returns the keys Counts may hold for routed requests, sorted: a
// test can check it names a real route before expecting none of it.
func (s *Server) Routes() []string {
	var keys []string
	for _, rt := range s.extra {
		keys = append(keys, rt.key())
	}
	for _, rt := range s.specRoutes {
		keys = append(keys, rt.key())
	}
	slices.Sort(keys)
	return keys
}

// TotalRequests returns the sum of Counts.
func (s *Server) TotalRequests() int { return s.counts.total() }

// ResetCounts zeroes Counts. It does not restart the fault streams.
func (s *Server) ResetCounts() { s.counts.reset() }

// rateLimiter admits at most limit requests per fixed one-second window of
// the server's clock.
type rateLimiter struct {
	mu     sync.Mutex
	window int64
	used   int
}

// take admits one request at now, or reports how many seconds to wait.
func (l *rateLimiter) take(now time.Time, limit int) (retryAfter int, limited bool) {
	if limit <= 0 {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := now.Unix(); w != l.window {
		l.window, l.used = w, 0
	}
	if l.used >= limit {
		return 1, true
	}
	l.used++
	return 0, false
}

// violations records response validation failures.
type violations struct {
	mu   sync.Mutex
	list []string
}

func (v *violations) add(s string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.list = append(v.list, s)
}

// ResponseViolations returns every response that did not validate against
// the spec (with Options.ValidateResponses), one line each.
func (s *Server) ResponseViolations() []string {
	s.viol.mu.Lock()
	defer s.viol.mu.Unlock()
	return append([]string(nil), s.viol.list...)
}
