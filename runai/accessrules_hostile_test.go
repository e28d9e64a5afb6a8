package runai

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

// A server whose rule listing never reaches its totalRecords (every page
// holds a rule, the count is far away) ends the read with an error after
// the client's page bound (orgMaxPages; 50 here), instead of keeping the
// run reading for ever.
func TestAccessRulesListingThatNeverEnds(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `{"totalRecords":2000000000,"displayRecords":1,"accessRules":[{"id":1,"subjectId":"ci","subjectType":"service-account","roleId":1,"roleName":"Viewer","scopeId":"12","scopeType":"project","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","createdBy":"x","tenantId":1}]}`)
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, Token: manifest.NewSecret("hostile-listing-token")})
	if err != nil {
		t.Fatal(err)
	}
	c.maxPages = 50
	rules, err := c.listAccessRules(t.Context(), manifest.Key{}, nil)
	if err == nil || !strings.Contains(err.Error(), "more than 50 pages") {
		t.Fatalf("listing that never ends: %d rules, error %v", len(rules), err)
	}
	if n := calls.Load(); n != 50 {
		t.Errorf("%d requests, want 50", n)
	}
}
