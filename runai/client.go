package runai

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Client talks to one Run:ai control plane. It is safe for concurrent use.
type Client struct {
	baseURL string
	api     *rest.Client
	static  bool // logged in with RUNAI_TOKEN rather than client credentials
	now     func() time.Time
	logf    func(format string, args ...any) // nil: no log
	// maxPages bounds a paged listing (orgMaxPages; tests lower it).
	maxPages int
}

// New checks cfg and builds a client. It sends nothing: the first request
// logs in. Its errors say which setting to fix.
func New(cfg Config) (*Client, error) {
	u, err := cfg.check()
	if err != nil {
		return nil, err
	}
	base, err := cfg.NewClient(u.String(), "--ca-file")
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c := &Client{baseURL: base.BaseURL, now: now, logf: cfg.Logf, maxPages: orgMaxPages}
	api := base
	if cfg.Token.IsZero() {
		login := base
		api.Auth = &tokenSource{login: &login, clientID: cfg.ClientID, secret: cfg.ClientSecret, now: now}
	} else {
		api.Auth = rest.NewBearerToken(cfg.Token.Reveal())
		c.static = true
	}
	c.api = &api
	return c, nil
}

// BaseURL is the control plane's URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

// log writes one line to Config.Logf, if set. Callers never pass a secret.
func (c *Client) log(format string, args ...any) {
	if c.logf != nil {
		c.logf(format, args...)
	}
}

// call sends one request and wraps a failure in an *Error about op on key.
func (c *Client) call(ctx context.Context, op string, key manifest.Key, req rest.Request, out any) (*rest.Response, error) {
	resp, err := c.api.Do(ctx, req, out)
	if err != nil {
		return resp, c.wrap(op, key, err)
	}
	return resp, nil
}

// wrap turns err into an *Error with a hint about what to do. A login
// failure is returned as it is: it is about the credentials, not the object.
func (c *Client) wrap(op string, key manifest.Key, err error) error {
	var le *LoginError
	if errors.As(err, &le) {
		return err
	}
	e := &Error{Op: op, Key: key, Err: err, Hint: tlsHint(err)}
	var re *rest.Error
	if errors.As(err, &re) {
		switch re.Status {
		case http.StatusUnauthorized:
			if c.static {
				e.Hint = "RUNAI_TOKEN was rejected (expired or revoked?): set a fresh token, or use RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET"
			} else {
				e.Hint = "the token obtained with RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET was rejected even after logging in again"
			}
		case http.StatusForbidden:
			e.Hint = "the identity of RUNAI_CLIENT_ID or RUNAI_TOKEN lacks the permission: grant it a role that allows this"
		case http.StatusNotFound:
			switch {
			case key.Name == "":
				e.Hint = "is RUNAI_BASE_URL (--url) the control plane's URL?"
			case op != "create":
				e.Hint = "it no longer exists (deleted since the plan was made?): run plan again"
			}
		default:
			if re.Status >= 200 && re.Status < 300 {
				e.Hint = "the reply is not the API's JSON: is RUNAI_BASE_URL (--url) the control plane's URL?"
			}
		}
	}
	return e
}

// Login obtains the token now, so that the first request does not wait for
// it; callers start it in the background while they do local work. With a
// static RUNAI_TOKEN there is nothing to do. An error here is reported again
// by the first request that needs the token.
func (c *Client) Login(ctx context.Context) error {
	ts, ok := c.api.Auth.(*tokenSource)
	if !ok {
		return nil
	}
	_, err := ts.get(ctx)
	return err
}
