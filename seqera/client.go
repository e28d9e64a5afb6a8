package seqera

import (
	"context"
	"errors"
	"net/http"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Client talks to one Seqera Platform API. It is safe for concurrent use.
type Client struct {
	endpoint string
	api      *rest.Client
}

// New checks cfg and builds a client. It sends nothing. Its errors say
// which setting to fix.
func New(cfg Config) (*Client, error) {
	u, err := cfg.check()
	if err != nil {
		return nil, err
	}
	api, err := cfg.NewClient(u.String(), "Seqera CA file")
	if err != nil {
		return nil, err
	}
	api.Auth = rest.NewBearerToken(cfg.Token.Reveal())
	return &Client{endpoint: api.BaseURL, api: &api}, nil
}

// Endpoint is the API's URL, without a trailing slash.
func (c *Client) Endpoint() string { return c.endpoint }

// call sends one request and wraps a failure in an *Error about op on key.
func (c *Client) call(ctx context.Context, op string, key manifest.Key, req rest.Request, out any) (*rest.Response, error) {
	resp, err := c.api.Do(ctx, req, out)
	if err != nil {
		return resp, wrap(op, key, err)
	}
	return resp, nil
}

// wrap turns err into an *Error with a hint about what to do. key names the
// credential, or (Name empty) the workspace of a list.
func wrap(op string, key manifest.Key, err error) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	e := &Error{Op: op, Key: key, Err: err, Hint: tlsHint(err)}
	var re *rest.Error
	if !errors.As(err, &re) {
		return e
	}
	switch re.Status {
	case http.StatusUnauthorized:
		e.Hint = "TOWER_ACCESS_TOKEN was rejected (expired or revoked?): create a new token in Seqera Platform under Your tokens and set it"
	case http.StatusForbidden:
		if key.ScopeID != "" {
			e.Hint = "the token's user cannot use workspace " + key.ScopeID + " (no such workspace, or no role in it): check metadata.workspaceId, the Ownership's workspaceId or TOWER_WORKSPACE_ID"
		} else {
			e.Hint = "the token's user lacks the permission: use a token of a user who may manage credentials"
		}
	case http.StatusNotFound:
		switch {
		case key.Name == "":
			e.Hint = "is TOWER_API_ENDPOINT the API's URL (for example " + endpointExample + ", or https://HOST/api for Seqera Enterprise)?"
		case op != "create":
			e.Hint = "it was deleted since the plan was made: run plan again"
		}
	default:
		if re.Status >= 200 && re.Status < 300 {
			e.Hint = "the reply is not the API's JSON: is TOWER_API_ENDPOINT the API's URL (for example " + endpointExample + ")?"
		}
	}
	return e
}
