package runai

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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

// A rule listed without its role's name (a sparse reply) is keyed by the
// name the roles listing gives its id, read once for all such rules, so it
// still matches the manifest's rule; an id the listing lacks stays "role N".
func TestRuleWithoutRoleName(t *testing.T) {
	var roleReads atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case rolesPath:
			roleReads.Add(1)
			_, _ = fmt.Fprint(w, `[{"id": 3, "name": "ML engineer"}, {"id": 4, "name": "Viewer"}]`)
		case accessRulesPath:
			rule := `{"id":%d,"subjectId":"ci-client","subjectType":"service-account","roleId":%d,"scopeId":"12","scopeType":"project","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","createdBy":"x","tenantId":1}`
			_, _ = fmt.Fprintf(w, `{"totalRecords":3,"displayRecords":3,"accessRules":[`+rule+`,`+rule+`,`+rule+`]}`, 1, 3, 2, 4, 3, 99)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, Token: manifest.NewSecret("sparse-reply-token")})
	if err != nil {
		t.Fatal(err)
	}
	p := NewProviderScoped(c, Scope{ServiceAccounts: true, AccessRules: true})
	objs, err := p.liveAccessRules(t.Context(), []serviceAccount{{identity: identity{Name: "ci", ClientID: "ci-client"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Key.Type)
	}
	if want := []string{"ML engineer", "Viewer", "role 99"}; !slices.Equal(got, want) {
		t.Errorf("roles %q, want %q", got, want)
	}
	if n := roleReads.Load(); n != 1 {
		t.Errorf("the roles were read %d times, want once", n)
	}
}
