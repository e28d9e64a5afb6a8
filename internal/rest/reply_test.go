package rest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReplyLargerThanTheLimit: a reply cut at 64 MiB says so, rather than
// "unexpected end of JSON input", and is not retried.
func TestReplyLargerThanTheLimit(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"items":["`)
		chunk := strings.Repeat("x", 1<<20)
		for range maxReply >> 20 {
			_, _ = io.WriteString(w, chunk)
		}
		_, _ = io.WriteString(w, `"]}`)
	}))
	defer srv.Close()
	var sl sleeps
	c := &Client{BaseURL: srv.URL, Retry: fastPolicy(&sl)}
	var out map[string]any
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/big"}, &out)
	if err == nil || !strings.Contains(err.Error(), "the reply is larger than 64 MiB") || strings.Contains(err.Error(), "unexpected end") {
		t.Fatalf("error = %v", err)
	}
	if calls != 1 {
		t.Errorf("%d calls: a reply too large must not be retried", calls)
	}
}

// TestWrongTypedReply names the field and the JSON types, never a Go type.
func TestWrongTypedReply(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"accessToken": 12, "expiresIn": 60}`, `GET /x: 200 cannot decode the reply: field accessToken is a number, not a string as the API documents`},
		{`{"accessToken": "t", "expiresIn": "soon"}`, `GET /x: 200 cannot decode the reply: field expiresIn is a string, not a whole number as the API documents`},
		{`{"accessToken": "t", "items": [{"name": true}]}`, `GET /x: 200 cannot decode the reply: field items.0.name is true or false, not a string as the API documents`},
		{`[1, 2]`, `GET /x: 200 cannot decode the reply: the reply is an array, not an object as the API documents`},
		{`{"accessToken": "t"`, `GET /x: 200 cannot decode the reply: the reply ends in the middle of its JSON`},
		{`<html>`, `GET /x: 200 cannot decode the reply: the reply is not valid JSON (at byte 1)`},
	} {
		_, srv := serve(t, reply{status: 200, body: tc.body})
		c := &Client{BaseURL: srv.URL}
		var out struct {
			AccessToken string `json:"accessToken"`
			ExpiresIn   *int64 `json:"expiresIn"`
			Items       []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, &out)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.body, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "Go ") || err != nil && strings.Contains(err.Error(), "struct") {
			t.Errorf("%s: a Go type shows: %v", tc.body, err)
		}
	}
}
