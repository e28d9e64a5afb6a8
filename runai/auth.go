package runai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// tokenPath is the login endpoint.
const tokenPath = "/api/v1/token"

// refreshMargin is how long before expiry a token is renewed. Tokens that
// live less than twice as long are renewed at half their life instead.
const refreshMargin = time.Minute

// tokenSource logs in with client credentials and hands out the token to
// concurrent callers, renewing it before it expires or when the server
// rejected it. One login serves every caller waiting for it.
type tokenSource struct {
	login    *rest.Client // no Authorizer
	clientID string
	secret   manifest.Secret
	now      func() time.Time

	mu        sync.Mutex
	token     manifest.Secret // zero: none
	refreshAt time.Time       // zero: no known expiry
	flight    *loginFlight    // the login under way, if any
}

// loginFlight is one login that callers wait for.
type loginFlight struct {
	done  chan struct{}
	token manifest.Secret
	err   error
	// abandoned is true when the login failed because the leader's own
	// context ended (its caller went away), not because the login did:
	// the others may then try again. A timeout of the HTTP client is not
	// that: it is the login failing.
	abandoned bool
}

// tokenRequest is the body of POST /api/v1/token.
type tokenRequest struct {
	GrantType    string `json:"grantType"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// tokenReply is its answer; expiresIn is new in 2.24.
type tokenReply struct {
	AccessToken string `json:"accessToken"`
	ExpiresIn   *int64 `json:"expiresIn"`
}

// Authorize implements rest.Authorizer.
func (ts *tokenSource) Authorize(ctx context.Context, req *http.Request) error {
	tok, err := ts.get(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Reveal())
	return nil
}

// Invalidate implements rest.Authorizer: it drops the token req carried,
// unless a newer one replaced it already.
func (ts *tokenSource) Invalidate(req *http.Request) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.token.IsZero() && req.Header.Get("Authorization") == "Bearer "+ts.token.Reveal() {
		ts.token = manifest.Secret{}
	}
	return true
}

// get returns a valid token, logging in when there is none or it is due
// for renewal. Concurrent callers share one login; a caller whose context
// ends stops waiting at once.
func (ts *tokenSource) get(ctx context.Context) (manifest.Secret, error) {
	for {
		ts.mu.Lock()
		if !ts.token.IsZero() && (ts.refreshAt.IsZero() || ts.now().Before(ts.refreshAt)) {
			tok := ts.token
			ts.mu.Unlock()
			return tok, nil
		}
		f := ts.flight
		leader := f == nil
		if leader {
			f = &loginFlight{done: make(chan struct{})}
			ts.flight = f
		}
		ts.mu.Unlock()
		if leader {
			ts.run(ctx, f)
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return manifest.Secret{}, ctx.Err()
		}
		if f.err == nil {
			return f.token, nil
		}
		// The leader's context ended while ours goes on: log in ourselves.
		if f.abandoned && !leader && ctx.Err() == nil {
			continue
		}
		return manifest.Secret{}, f.err
	}
}

// run performs the login of flight f and publishes its outcome.
func (ts *tokenSource) run(ctx context.Context, f *loginFlight) {
	tok, refreshAt, err := ts.fetch(ctx)
	ts.mu.Lock()
	if err == nil {
		ts.token, ts.refreshAt = tok, refreshAt
	}
	ts.flight = nil
	ts.mu.Unlock()
	f.token, f.err = tok, err
	f.abandoned = err != nil && ctx.Err() != nil
	close(f.done)
}

// fetch logs in once (with the client's retries).
func (ts *tokenSource) fetch(ctx context.Context) (manifest.Secret, time.Time, error) {
	body := tokenRequest{GrantType: "client_credentials", ClientID: ts.clientID, ClientSecret: ts.secret.Reveal()}
	var rep tokenReply
	issued := ts.now()
	_, err := ts.login.Do(ctx, rest.Request{Method: http.MethodPost, Path: tokenPath, Body: body}, &rep)
	if err != nil {
		return manifest.Secret{}, time.Time{}, &LoginError{ClientID: ts.clientID, Err: err}
	}
	if rep.AccessToken == "" {
		return manifest.Secret{}, time.Time{}, &LoginError{ClientID: ts.clientID, Err: errors.New("the reply holds no accessToken")}
	}
	var expiry time.Time
	switch {
	case rep.ExpiresIn != nil && *rep.ExpiresIn > 0:
		expiry = issued.Add(time.Duration(*rep.ExpiresIn) * time.Second)
	default:
		expiry = jwtExpiry(rep.AccessToken)
	}
	return manifest.NewSecret(rep.AccessToken), refreshTime(issued, expiry), nil
}

// refreshTime is when a token issued at issued and expiring at expiry is
// renewed: a minute before expiry, or at half its life when it is short.
// Zero when the expiry is unknown (the token is then used until a 401).
func refreshTime(issued, expiry time.Time) time.Time {
	if expiry.IsZero() {
		return time.Time{}
	}
	life := expiry.Sub(issued)
	if life < 2*refreshMargin {
		return issued.Add(life / 2)
	}
	return expiry.Add(-refreshMargin)
}

// jwtExpiry reads the exp claim of a JWT without verifying it (the client
// only needs to know when to renew). Zero when the token is not a JWT or
// has no exp.
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == "" {
		return time.Time{}
	}
	f, err := claims.Exp.Float64()
	if err != nil || f <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0)
}

// LoginError is a failed login with client credentials. Its text says
// which client id was used and what to check; never the secret.
type LoginError struct {
	ClientID string
	Err      error
}

// Error implements error.
func (e *LoginError) Error() string {
	if hint := tlsHint(e.Err); hint != "" {
		return fmt.Sprintf("log in to Run:ai: %v: %s", e.Err, hint)
	}
	var re *rest.Error
	if errors.As(e.Err, &re) {
		switch re.Status {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusBadRequest:
			return fmt.Sprintf("log in to Run:ai as client %q: %s (%s): check RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET",
				e.ClientID, re.Summary(), re.Request())
		}
		if re.Status == http.StatusNotFound || re.Status >= 200 && re.Status < 300 {
			return fmt.Sprintf("log in to Run:ai: %s (%s): is RUNAI_BASE_URL (--url) the control plane's URL?", re.Summary(), re.Request())
		}
		return fmt.Sprintf("log in to Run:ai as client %q: %s (%s)", e.ClientID, re.Summary(), re.Request())
	}
	return fmt.Sprintf("log in to Run:ai as client %q: %v", e.ClientID, e.Err)
}

// Unwrap returns the cause.
func (e *LoginError) Unwrap() error { return e.Err }
