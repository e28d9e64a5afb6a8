package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestResponseValidationCatchesViolations feeds the response validator
// replies that break the spec and checks each is recorded.
func TestResponseValidationCatchesViolations(t *testing.T) {
	s, err := New(Options{ValidateResponses: true})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, credsPath+"/password/0b6d2a8e-8c0f-4f51-9d39-3a0c7e3f1d22", nil)
	rt, _, err := s.match(req)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rep     reply
		mention string
	}{
		{ok(200, map[string]any{"meta": map[string]any{"name": "x"}}), "missing"},
		{ok(200, map[string]any{"meta": map[string]any{}, "spec": map[string]any{"keyId": "one"}}), "field"},
		{ok(409, errorBody{Code: 409, Message: "x"}), "status is not supported"},
		{ok(404, map[string]any{"message": "no code"}), "code"},
	}
	for i, tc := range cases {
		body, _ := tc.rep.encode()
		s.validateResponse(req, rt, tc.rep, body)
		v := s.ResponseViolations()
		if len(v) != i+1 || !strings.Contains(v[i], tc.mention) {
			t.Errorf("case %d: violations %q, want a new one mentioning %q", i, v, tc.mention)
		}
	}
	// Statuses the pipeline makes are exempt from the status check.
	rep := errorReply(flavorRunai, http.StatusTooManyRequests, "slow down")
	rep.pipeline = true
	body, _ := rep.encode()
	s.validateResponse(req, rt, rep, body)
	if n := len(s.ResponseViolations()); n != len(cases) {
		t.Errorf("a pipeline 429 was recorded as a violation")
	}
}

func TestSpecIsEmbeddedAndComplete(t *testing.T) {
	if _, err := specRouter(); err != nil {
		t.Fatal(err)
	}
	doc := routerDoc
	if doc.Paths.Len() == 0 {
		t.Error("embedded spec is empty")
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	if len(s.specRoutes) != n {
		t.Errorf("%d handlers for %d operations", len(s.specRoutes), n)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"abc-1": "abc-1", "a b": "'a b'", "it's": `'it'\''s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
