package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// principal is who a request acts as.
type principal struct {
	Kind string // "user", "serviceAccount" or "accessKey"
	ID   string // the service account's or access key's id; the user's email
	User string // the identity recorded in createdBy: the admin user, the service account's client id, or the key's owner
}

// claims is the JWT payload the token endpoint signs.
type claims struct {
	Sub         string `json:"sub"`
	Iss         string `json:"iss"`
	Iat         int64  `json:"iat"`
	Exp         int64  `json:"exp"`
	Gen         int    `json:"gen"`
	Kind        string `json:"principalType"`
	PrincipalID string `json:"principalId"`
	ClientID    string `json:"clientId"`
}

const jwtIssuer = "runai-sync-emulator"

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func (s *Server) sign(c claims, key string) string {
	payload, _ := json.Marshal(c)
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verify checks a JWT's signature, expiry and generation.
func (s *Server) verify(token string, now time.Time) (claims, error) {
	var c claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("malformed bearer token")
	}
	s.mu.RLock()
	key, gen := s.db.SigningKey, s.db.TokenGeneration
	s.mu.RUnlock()
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return c, errors.New("invalid bearer token signature")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, errors.New("malformed bearer token")
	}
	if c.Gen != gen || now.Unix() >= c.Exp {
		return c, errors.New("token expired")
	}
	return c, nil
}

// authenticate checks the caller of a route; failed is true with the 401.
func (s *Server) authenticate(c *call, kind authKind) (rep reply, failed bool) {
	if kind == authNone {
		return reply{}, false
	}
	h := c.r.Header.Get("Authorization")
	tok, hasBearer := strings.CutPrefix(h, "Bearer ")
	if !hasBearer || strings.TrimSpace(tok) == "" {
		return c.fail(http.StatusUnauthorized, "missing bearer token (Authorization: Bearer …)"), true
	}
	tok = strings.TrimSpace(tok)
	if kind == authSeqera {
		s.mu.RLock()
		want := s.db.SeqeraToken
		s.mu.RUnlock()
		if subtle.ConstantTimeCompare([]byte(tok), []byte(want)) != 1 {
			return c.fail(http.StatusUnauthorized, "Unauthorized: invalid access token"), true
		}
		c.who = principal{Kind: "user", ID: AdminUser, User: AdminUser}
		return reply{}, false
	}
	cl, err := s.verify(tok, c.now)
	if err != nil {
		return c.fail(http.StatusUnauthorized, "%v", err), true
	}
	c.who = principal{Kind: cl.Kind, ID: cl.PrincipalID, User: cl.Sub}
	return reply{}, false
}

// tokenRequest is the body of POST /api/v1/token.
type tokenRequest struct {
	GrantType    string `json:"grantType"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// tokenReply is the answer of POST /api/v1/token.
type tokenReply struct {
	AccessToken string `json:"accessToken"`
	ExpiresIn   *int64 `json:"expiresIn,omitempty"`
	TokenType   string `json:"tokenType"`
}

func secretEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// handleToken serves POST /api/v1/token (client_credentials only).
func (s *Server) handleToken(c *call) reply {
	var req tokenRequest
	if rep := c.decodeStrict(&req); rep != nil {
		return *rep
	}
	switch {
	case req.GrantType != "client_credentials":
		return c.fail(http.StatusBadRequest, `grantType must be "client_credentials"`)
	case req.ClientID == "":
		return c.fail(http.StatusBadRequest, "clientId is required")
	case req.ClientSecret == "":
		return c.fail(http.StatusBadRequest, "clientSecret is required")
	}
	s.mu.Lock()
	cl := claims{Iss: jwtIssuer, Iat: c.now.Unix(), Exp: c.now.Add(s.opts.TokenTTL).Unix(), Gen: s.db.TokenGeneration, ClientID: req.ClientID}
	found := false
	if req.ClientID == s.db.AdminClientID && secretEqual(req.ClientSecret, s.db.AdminClientSecret) {
		cl.Sub, cl.Kind, cl.PrincipalID, found = AdminUser, "user", AdminUser, true
	}
	for _, sa := range s.db.ServiceAccounts {
		if found || sa.ClientID != req.ClientID || !secretEqual(req.ClientSecret, sa.ClientSecret) {
			continue
		}
		if !sa.Enabled {
			s.mu.Unlock()
			return c.fail(http.StatusUnauthorized, "service account %s is disabled", sa.Name)
		}
		now := c.now.UTC()
		sa.LastLogin = &now
		cl.Sub, cl.Kind, cl.PrincipalID, found = sa.ClientID, "serviceAccount", sa.ID, true
	}
	for _, k := range s.db.AccessKeys {
		if found || k.ClientID != req.ClientID || !secretEqual(req.ClientSecret, k.ClientSecret) {
			continue
		}
		now := c.now.UTC()
		k.LastLogin = &now
		cl.Sub, cl.Kind, cl.PrincipalID, found = k.Owner, "accessKey", k.ID, true
	}
	key := s.db.SigningKey
	s.mu.Unlock()
	if !found {
		return c.fail(http.StatusUnauthorized, "invalid client credentials for client id %q", req.ClientID)
	}
	if cl.Kind != "user" {
		s.changed()
	}
	rep := tokenReply{AccessToken: s.sign(cl, key), TokenType: "Bearer"}
	if !s.opts.LegacyToken {
		ttl := int64(s.opts.TokenTTL / time.Second)
		rep.ExpiresIn = &ttl
	}
	return ok(http.StatusOK, rep)
}

// ExpireTokens makes every token issued so far answer 401; clients must
// log in again.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.db.TokenGeneration++
	s.mu.Unlock()
	s.changed()
}
