package runai

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// calls returns the token and list counts since the last reset.
func (e *env) calls() (token, list int) {
	c := e.em.Server.Counts()
	return c[routeToken], c[routeList]
}

func (e *env) mustSnapshot() {
	e.t.Helper()
	if _, err := e.p.Snapshot(context.Background()); err != nil {
		e.t.Fatalf("Snapshot: %v", err)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	for _, legacy := range []bool{false, true} { // legacy: no expiresIn, the JWT exp is read
		name := "expiresIn"
		if legacy {
			name = "JWT exp"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, emulator.Options{TokenTTL: 10 * time.Minute, LegacyToken: legacy})
			steps := []struct {
				advance time.Duration
				tokens  int
			}{
				{0, 1},
				{8 * time.Minute, 1},               // 8m: still fresh
				{50 * time.Second, 1},              // 8m50s: still before expiry-1m
				{20 * time.Second, 2},              // 9m10s: within the last minute, renewed
				{9*time.Minute + 5*time.Second, 3}, // past the new token's renewal time
			}
			for _, s := range steps {
				e.clock.Advance(s.advance)
				e.mustSnapshot()
				if tok, _ := e.calls(); tok != s.tokens {
					t.Errorf("after %s: %d logins, want %d", s.advance, tok, s.tokens)
				}
			}
			if _, list := e.calls(); list != len(steps) {
				t.Errorf("%d list calls for %d snapshots: a refresh must not cost a 401", list, len(steps))
			}
		})
	}
}

func TestTokenRenewedOn401(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	e.mustSnapshot()
	e.em.Server.ExpireTokens()
	e.mustSnapshot()
	if tok, list := e.calls(); tok != 2 || list != 3 {
		t.Errorf("after a 401: %d logins and %d list calls, want 2 and 3", tok, list)
	}
}

func TestConcurrentCallersShareOneLogin(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := e.p.Snapshot(context.Background()); err != nil {
				t.Errorf("Snapshot: %v", err)
			}
		})
	}
	wg.Wait()
	if tok, _ := e.calls(); tok != 1 {
		t.Errorf("16 concurrent callers made %d logins, want 1", tok)
	}
	e.em.Server.ExpireTokens()
	for range 16 {
		wg.Go(func() {
			if _, err := e.p.Snapshot(context.Background()); err != nil {
				t.Errorf("Snapshot: %v", err)
			}
		})
	}
	wg.Wait()
	// Every caller may meet the 401, but a token rejected once is renewed
	// once: callers that carried the old token share the new login.
	if tok, _ := e.calls(); tok != 2 {
		t.Errorf("after the tokens expired, %d logins in all, want 2", tok)
	}
}

// login gets a token from the emulator the way a user would for RUNAI_TOKEN.
func login(t *testing.T, em *emulator.Instance) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"grantType": "client_credentials", "clientId": em.ClientID, "clientSecret": em.ClientSecret})
	resp, err := http.Post(em.URL+"/api/v1/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil || rep.AccessToken == "" {
		t.Fatalf("login: %v", err)
	}
	return rep.AccessToken
}

func TestStaticToken(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	token := login(t, e.em)
	e.em.Server.ResetCounts()
	cfg := e.cfg
	cfg.ClientID, cfg.ClientSecret, cfg.Token = "", manifest.Secret{}, manifest.NewSecret(token)
	_, p := e.connect(cfg)
	if _, err := p.Snapshot(context.Background()); err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if tok, list := e.calls(); tok != 0 || list != 1 {
		t.Errorf("a static token made %d logins and %d lists, want 0 and 1", tok, list)
	}
	e.em.Server.ExpireTokens()
	_, err := p.Snapshot(context.Background())
	if err == nil || !strings.Contains(err.Error(), "RUNAI_TOKEN was rejected") {
		t.Fatalf("Snapshot with a rejected token = %v, want it to say RUNAI_TOKEN was rejected", err)
	}
	if _, list := e.calls(); list != 2 {
		t.Errorf("a rejected static token was retried: %d lists", list)
	}
	testkit.NoSecretIn(t, append(e.log.Lines(), err.Error()), token)
}

func TestBadClientSecret(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{})
	cfg := e.cfg
	cfg.ClientSecret = manifest.NewSecret("wrong-secret-value")
	_, p := e.connect(cfg)
	_, err := p.Snapshot(context.Background())
	var le *LoginError
	if !errors.As(err, &le) {
		t.Fatalf("Snapshot = %v, want a *LoginError", err)
	}
	for _, want := range []string{`client "` + e.em.ClientID + `"`, "401", "check RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET", "POST /api/v1/token"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if _, list := e.calls(); list != 0 {
		t.Errorf("%d list calls without a token", list)
	}
	testkit.NoSecretIn(t, append(e.log.Lines(), err.Error()), "wrong-secret-value", e.em.ClientSecret)
}

func TestJWTExpiry(t *testing.T) {
	t.Parallel()
	jwt := func(payload string) string {
		return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
	}
	tests := map[string]time.Time{
		jwt(`{"exp":1767225600,"sub":"x"}`): time.Unix(1767225600, 0),
		jwt(`{"exp":1767225600.5}`):         time.Unix(1767225600, 0),
		jwt(`{"sub":"no exp"}`):             {},
		jwt(`not json`):                     {},
		"opaque-token":                      {},
		"a.b!.c":                            {},
	}
	for tok, want := range tests {
		if got := jwtExpiry(tok); !got.Equal(want) {
			t.Errorf("jwtExpiry(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestRefreshTime(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		life time.Duration
		want time.Duration // after t0; -1 for never
	}{
		{time.Hour, 59 * time.Minute},
		{2 * time.Minute, time.Minute},
		{90 * time.Second, 45 * time.Second},
		{-1, -1},
	}
	var got, want []time.Time
	for _, tt := range tests {
		exp := time.Time{}
		if tt.life >= 0 {
			exp = t0.Add(tt.life)
		}
		got = append(got, refreshTime(t0, exp))
		if tt.want < 0 {
			want = append(want, time.Time{})
		} else {
			want = append(want, t0.Add(tt.want))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refreshTime (-want +got):\n%s", diff)
	}
}

// TestInvalidateDropsOnlyTheRejectedToken: a 401 to a request sent with an
// older token must not throw away the newer one another caller got since,
// else every late 401 would cost a login.
func TestInvalidateDropsOnlyTheRejectedToken(t *testing.T) {
	t.Parallel()
	ts := &tokenSource{token: manifest.NewSecret("token-2")}
	withToken := func(tok string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/asset/credentials", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return r
	}
	if !ts.Invalidate(withToken("token-1")) || ts.token.Reveal() != "token-2" {
		t.Errorf("a 401 to the old token dropped the new one")
	}
	if !ts.Invalidate(withToken("token-2")) || !ts.token.IsZero() {
		t.Errorf("a 401 to the current token kept it")
	}
}
