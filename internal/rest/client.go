package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Client sends JSON requests to one API. It is safe for concurrent use once
// its fields are set.
type Client struct {
	// BaseURL is prepended to every request path, e.g.
	// "https://acme.run.ai" or "https://tower.example/api".
	BaseURL string
	// HTTP sends the requests; nil means http.DefaultClient. Its Timeout
	// bounds each attempt.
	HTTP *http.Client
	// Auth authorizes each attempt; nil sends no Authorization header.
	Auth Authorizer
	// UserAgent is sent with every request when set.
	UserAgent string
	// Retry bounds the retries.
	Retry RetryPolicy
	// Logf, when set, receives one line per attempt: method, path and
	// query, status, attempt number and duration. Never a header or body.
	Logf func(format string, args ...any)
}

// Request is one API call.
type Request struct {
	Method string
	// Path is appended to BaseURL; it starts with "/" and is already
	// escaped.
	Path  string
	Query url.Values
	// Body, when not nil, is sent as JSON (json.RawMessage is sent as is).
	Body any
	// ErrorOut, when not nil, receives the JSON body of the non-2xx reply
	// that ends Do with an *Error, for APIs that describe a failure in
	// fields of their own (Seqera lists the workflows that use a
	// credential in a 409). A body that is not JSON leaves it alone.
	ErrorOut any
}

// Response describes a successful exchange.
type Response struct {
	// Status is the HTTP status (2xx).
	Status int
	// Header holds the reply headers.
	Header http.Header
	// Attempts counts the attempts made, this one included.
	Attempts int
	// MaybeApplied is true when an earlier attempt of a POST or PATCH may
	// have taken effect (see Error.MaybeApplied).
	MaybeApplied bool
}

// maxReply bounds the bytes read from a reply.
const maxReply = 64 << 20

// errReplyTooLarge ends an attempt whose reply passes maxReply; it is not
// retried (the next reply would be as large).
var errReplyTooLarge = fmt.Errorf("the reply is larger than %d MiB, the most read of one reply", maxReply>>20)

// Do sends the request, retrying as the policy allows, and decodes a 2xx
// reply's JSON body into out (when out is not nil and the body is not
// empty). Any other outcome is an *Error, except errors of the Authorizer,
// returned as they are. When ctx ends, Do returns at once with an *Error
// that unwraps to ctx.Err().
func (c *Client) Do(ctx context.Context, req Request, out any) (*Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if raw, ok := req.Body.(json.RawMessage); ok {
			body = raw
		} else if body, err = json.Marshal(req.Body); err != nil {
			// A marshalling error names a type, never a value.
			return nil, fmt.Errorf("%s %s: encode request body: %w", req.Method, req.Path, err)
		}
	}
	target, err := c.url(req)
	if err != nil {
		return nil, err
	}
	p := c.Retry.withDefaults()
	start := time.Now()
	e := &Error{Method: req.Method, Path: req.Path}
	reauthorized := false
	for try := 1; ; {
		e.Attempts++
		a, err := c.attempt(ctx, req, target, body)
		if err != nil {
			return nil, err // the Authorizer's error
		}
		if a.mayApply && nonIdempotent(req.Method) {
			e.MaybeApplied = true
		}
		if ctx.Err() != nil {
			c.logAttempt(req, a, e.Attempts, "canceled")
			e.Status, e.Message, e.Err, e.Location = 0, ctx.Err().Error(), ctx.Err(), ""
			return nil, e
		}
		if a.err == nil && a.status >= 200 && a.status < 300 {
			c.logAttempt(req, a, e.Attempts, "")
			resp := &Response{Status: a.status, Header: a.header, Attempts: e.Attempts, MaybeApplied: e.MaybeApplied}
			if out != nil && len(bytes.TrimSpace(a.body)) > 0 {
				if err := jsonv1.Unmarshal(a.body, out); err != nil {
					e.Status, e.Message = a.status, "cannot decode the reply: "+decodeMessage(err)
					return resp, e
				}
			}
			return resp, nil
		}
		e.Status, e.Err, e.Location = a.status, a.err, ""
		if a.err != nil {
			e.Message = causeMessage(a.err)
		} else {
			e.Message = serverMessage(a.status, a.body)
			if a.status >= 300 && a.status < 400 {
				e.Location = a.header.Get("Location")
			}
		}
		if a.status == http.StatusUnauthorized {
			if c.Auth != nil && !reauthorized {
				reauthorized = true
				if c.Auth.Invalidate(a.req) {
					// A fresh token is not a retry of the policy.
					c.logAttempt(req, a, e.Attempts, "authorizing again")
					continue
				}
			}
			e.Message += ": the credentials were rejected"
		}
		retry := a.err != nil && retryableError(a.err) || a.err == nil && retryableStatus(a.status)
		if !retry {
			c.logAttempt(req, a, e.Attempts, "")
			decodeError(req, a)
			return nil, e
		}
		// A 429 is the server pacing us, not a failure: it does not use up an
		// attempt; MaxElapsed still bounds the waiting.
		rateLimited := a.err == nil && a.status == http.StatusTooManyRequests
		if try >= p.MaxAttempts && !rateLimited {
			c.logAttempt(req, a, e.Attempts, "giving up")
			e.GaveUp = fmt.Sprintf("after %d attempts", e.Attempts)
			decodeError(req, a)
			return nil, e
		}
		d := p.delay(try, parseRetryAfter(a.header.Get("Retry-After"), time.Now()))
		if time.Since(start)+d > p.MaxElapsed {
			c.logAttempt(req, a, e.Attempts, "giving up")
			decodeError(req, a)
			e.GaveUp = fmt.Sprintf("after %d attempts: waiting %s more would pass the retry budget of %s",
				e.Attempts, roundDuration(d), p.MaxElapsed)
			return nil, e
		}
		c.logAttempt(req, a, e.Attempts, "retrying in "+roundDuration(d).String())
		if err := p.Sleep(ctx, d); err != nil {
			e.Status, e.Message, e.Err, e.GaveUp, e.Location = 0, err.Error(), err, "", ""
			return nil, e
		}
		if !rateLimited {
			try++
		}
	}
}

// decodeError decodes the body of the reply that ends Do into
// req.ErrorOut, when both are there.
func decodeError(req Request, a attemptResult) {
	if req.ErrorOut != nil && a.err == nil && len(bytes.TrimSpace(a.body)) > 0 {
		_ = jsonv1.Unmarshal(a.body, req.ErrorOut)
	}
}

// attemptResult is the outcome of one attempt.
type attemptResult struct {
	req      *http.Request
	status   int
	header   http.Header
	body     []byte
	err      error // transport error
	mayApply bool
	took     time.Duration
}

// attempt sends the request once. Its error is the Authorizer's; transport
// errors are in the result.
func (c *Client) attempt(ctx context.Context, req Request, target string, body []byte) (attemptResult, error) {
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, target, rd)
	if err != nil {
		return attemptResult{}, fmt.Errorf("%s %s: %w", req.Method, req.Path, err)
	}
	hr.Header.Set("Accept", "application/json")
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if c.UserAgent != "" {
		hr.Header.Set("User-Agent", c.UserAgent)
	}
	if c.Auth != nil {
		if err := c.Auth.Authorize(ctx, hr); err != nil {
			return attemptResult{}, err
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	began := time.Now()
	res := attemptResult{req: hr}
	resp, err := hc.Do(hr)
	if err == nil {
		res.status, res.header = resp.StatusCode, resp.Header
		res.body, err = readReply(resp)
		_ = resp.Body.Close()
		if err == nil && len(res.body) > maxReply {
			err = errReplyTooLarge
		}
		if err != nil {
			res.status, res.header, res.body = 0, nil, nil
		}
	}
	res.err = err
	if res.header == nil {
		res.header = http.Header{}
	}
	res.mayApply = mayReachServer(res.status, wrote.Load(), err)
	res.took = time.Since(began)
	return res, nil
}

// logAttempt writes the one line of an attempt: what was sent, what came
// back, and what happens next.
func (c *Client) logAttempt(req Request, a attemptResult, n int, next string) {
	if c.Logf == nil {
		return
	}
	outcome := fmt.Sprint(a.status)
	if a.err != nil {
		outcome = "error: " + causeMessage(a.err)
	}
	if next == "canceled" {
		outcome, next = "canceled", ""
	}
	if next != "" {
		next = "; " + next
	}
	c.Logf("%s %s -> %s (attempt %d, %s%s)", req.Method, logTarget(req), outcome, n, roundDuration(a.took), next)
}

// url joins the base URL, path and query.
func (c *Client) url(req Request) (string, error) {
	if !strings.HasPrefix(req.Path, "/") {
		return "", fmt.Errorf("%s %s: the path must start with /", req.Method, req.Path)
	}
	u := strings.TrimRight(c.BaseURL, "/") + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	if _, err := url.Parse(u); err != nil {
		return "", fmt.Errorf("%s %s: invalid URL: %w", req.Method, req.Path, errors.Unwrap(err))
	}
	return u, nil
}

// logTarget is the path and query of a request, for log lines.
func logTarget(req Request) string {
	if len(req.Query) == 0 {
		return req.Path
	}
	return req.Path + "?" + req.Query.Encode()
}

// readReply reads a reply's body, at most maxReply+1 bytes of it, into a
// buffer sized by its Content-Length when it has one (and doubling
// otherwise: a list of 10,000 credentials is megabytes).
func readReply(resp *http.Response) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= maxReply {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxReply+1))
	return buf.Bytes(), err
}
