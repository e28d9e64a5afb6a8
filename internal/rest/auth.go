package rest

import (
	"context"
	"net/http"
)

// Authorizer authorizes requests, typically with a bearer token.
// Implementations must be safe for concurrent use.
type Authorizer interface {
	// Authorize sets the Authorization header of req, obtaining a token
	// first if it has none or its token is about to expire. Its errors are
	// returned by Client.Do as they are.
	Authorize(ctx context.Context, req *http.Request) error
	// Invalidate is told that the server answered 401 to req: the token
	// req carried must not be used again. It reports whether a new
	// Authorize may produce a different token (false for a static token),
	// in which case Do retries the request once.
	Invalidate(req *http.Request) bool
}

// BearerToken is an Authorizer with one fixed token. Its String method
// never shows the token.
type BearerToken struct {
	token string
}

// NewBearerToken returns an Authorizer that sends "Bearer <token>".
func NewBearerToken(token string) *BearerToken { return &BearerToken{token: token} }

// Authorize implements Authorizer.
func (b *BearerToken) Authorize(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+b.token)
	return nil
}

// Invalidate implements Authorizer: a fixed token cannot be renewed.
func (b *BearerToken) Invalidate(*http.Request) bool { return false }

// String hides the token.
func (b *BearerToken) String() string { return "BearerToken(redacted)" }

// GoString hides the token from %#v.
func (b *BearerToken) GoString() string { return b.String() }
