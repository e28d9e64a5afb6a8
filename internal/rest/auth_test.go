package rest

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// countingAuth hands out token-1, token-2, … and counts invalidations.
type countingAuth struct {
	mu          sync.Mutex
	n           int
	invalidated int
	renewable   bool
}

func (a *countingAuth) Authorize(_ context.Context, r *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n == 0 {
		a.n = 1
	}
	r.Header.Set("Authorization", "Bearer token-"+string(rune('0'+a.n)))
	return nil
}

func (a *countingAuth) Invalidate(*http.Request) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.invalidated++
	a.n++
	return a.renewable
}

func TestUnauthorized(t *testing.T) {
	deny := reply{status: 401, body: `{"code":401,"message":"token expired"}`}
	tests := []struct {
		name      string
		renewable bool
		replies   []reply
		auths     []string
		wantErr   string
	}{
		{"fresh token succeeds", true, []reply{deny, {status: 200}}, []string{"Bearer token-1", "Bearer token-2"}, ""},
		{"second 401 is final", true, []reply{deny, deny, {status: 200}}, []string{"Bearer token-1", "Bearer token-2"}, "GET /x: 401 token expired: the credentials were rejected"},
		{"static token is not retried", false, []reply{deny, {status: 200}}, []string{"Bearer token-1"}, "GET /x: 401 token expired: the credentials were rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, srv := serve(t, tt.replies...)
			var sl sleeps
			auth := &countingAuth{renewable: tt.renewable}
			c := &Client{BaseURL: srv.URL, Auth: auth, Retry: fastPolicy(&sl)}
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil)
			var got []string
			for _, r := range s.requests() {
				got = append(got, r.Auth)
			}
			if diff := cmp.Diff(tt.auths, got); diff != "" {
				t.Errorf("Authorization headers (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Do: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("error = %v, want %s", err, tt.wantErr)
			}
			if len(sl.all()) != 0 {
				t.Errorf("a 401 must not back off: waits %v", sl.all())
			}
		})
	}
}

func TestAuthorizerErrorIsReturned(t *testing.T) {
	s, srv := serve(t)
	boom := errors.New("log in: check RUNAI_CLIENT_ID")
	c := &Client{BaseURL: srv.URL, Auth: failingAuth{boom}}
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); !errors.Is(err, boom) {
		t.Errorf("Do = %v, want the authorizer's error", err)
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests sent without authorization", n)
	}
}

type failingAuth struct{ err error }

func (f failingAuth) Authorize(context.Context, *http.Request) error { return f.err }
func (f failingAuth) Invalidate(*http.Request) bool                  { return false }
