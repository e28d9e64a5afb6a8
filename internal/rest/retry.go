package rest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// RetryPolicy bounds the retries of one request. The zero value means the
// defaults below; tests set tiny delays and may replace Sleep.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one request, the first included
	// (default 8; 1 disables retries). Answers 429 (the server pacing the
	// client) do not count: MaxElapsed bounds them.
	MaxAttempts int
	// MaxElapsed bounds the time from the first attempt to the start of the
	// last one (default 2 minutes). A wait that would end past it is not
	// started: the last error is returned instead.
	MaxElapsed time.Duration
	// BaseDelay is the backoff ceiling of the first retry; it doubles with
	// each retry up to MaxDelay (defaults 250 ms and 15 s). The delay is
	// drawn uniformly below the ceiling (full jitter).
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Sleep waits d or until ctx ends, returning ctx.Err() then. nil means
	// a timer. Tests replace it to advance a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Defaults of RetryPolicy.
const (
	DefaultMaxAttempts = 8
	DefaultMaxElapsed  = 2 * time.Minute
	DefaultBaseDelay   = 250 * time.Millisecond
	DefaultMaxDelay    = 15 * time.Second
)

// withDefaults fills the zero fields.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

// backoff is the full-jitter delay before retry number n (1 for the first
// retry): uniform in [0, min(MaxDelay, BaseDelay·2^(n-1))].
func (p RetryPolicy) backoff(n int) time.Duration {
	ceiling := p.BaseDelay
	for i := 1; i < n && ceiling < p.MaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.MaxDelay)
	return rand.N(ceiling + 1)
}

// delay is the wait before retry n: the server's Retry-After when it gave
// one (never less), else the backoff.
func (p RetryPolicy) delay(n int, retryAfter time.Duration) time.Duration {
	d := p.backoff(n)
	if retryAfter > d {
		return retryAfter
	}
	return d
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryableStatus lists the statuses worth another attempt.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableError reports whether a transport error is worth another
// attempt: refused or reset connections, unexpected EOF, timeouts. TLS and
// certificate errors, and malformed requests, are not: retrying cannot fix
// them.
func retryableError(err error) bool {
	var (
		certErr    *tls.CertificateVerificationError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
	)
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidErr) || errors.As(err, &recordErr) || errors.As(err, &alertErr) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date. Zero when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// mayReachServer reports whether an attempt of a non-idempotent request
// may have taken effect: a 5xx, or a transport error after the request
// was written (a timeout waiting for the reply, a reset).
func mayReachServer(status int, wrote bool, transportErr error) bool {
	if transportErr != nil {
		return wrote
	}
	return status >= 500
}

// nonIdempotent reports whether a repeat of the method may duplicate its
// effect.
func nonIdempotent(method string) bool {
	return method == http.MethodPost || method == http.MethodPatch
}
