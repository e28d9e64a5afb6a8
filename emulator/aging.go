package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Aging moves an object's timestamps, so that audit scenarios are exact
// (see SetTimes).
type Aging struct {
	// CreatedAt, when set, becomes the object's creation time (a
	// credential's meta.createdAt, a service account's or access key's
	// createdAt). A credential's updatedAt is moved with it when it was
	// not already later.
	CreatedAt *time.Time
	// LastLogin, when set, becomes the last login of a service account or
	// access key.
	LastLogin *time.Time
	// NeverLoggedIn clears the last login (lastLogin: null).
	NeverLoggedIn bool
}

// SetTimes ages the credential asset, service account or access key with
// the given id. A credential has no last login: LastLogin or NeverLoggedIn
// on one is an error, as is LastLogin together with NeverLoggedIn.
func (s *Server) SetTimes(id string, age Aging) error {
	if age.LastLogin != nil && age.NeverLoggedIn {
		return errors.New("lastLogin and neverLoggedIn exclude each other")
	}
	login := func(p **time.Time) {
		switch {
		case age.NeverLoggedIn:
			*p = nil
		case age.LastLogin != nil:
			t := age.LastLogin.UTC()
			*p = &t
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.db.Assets[id] != nil:
		a := s.db.Assets[id]
		if age.LastLogin != nil || age.NeverLoggedIn {
			return fmt.Errorf("credential %s has no lastLogin: only createdAt can be set", id)
		}
		if age.CreatedAt != nil {
			a.CreatedAt = age.CreatedAt.UTC()
			if a.UpdatedAt.Before(a.CreatedAt) {
				a.UpdatedAt = a.CreatedAt
			}
		}
	case s.db.ServiceAccounts[id] != nil:
		sa := s.db.ServiceAccounts[id]
		if age.CreatedAt != nil {
			sa.CreatedAt = age.CreatedAt.UTC()
		}
		login(&sa.LastLogin)
	case s.db.AccessKeys[id] != nil:
		k := s.db.AccessKeys[id]
		if age.CreatedAt != nil {
			k.CreatedAt = age.CreatedAt.UTC()
		}
		login(&k.LastLogin)
	default:
		return fmt.Errorf("no credential, service account or access key %s: %w", id, errNotFound)
	}
	s.changed()
	return nil
}

// adminAge serves POST /_emulator/age {"id","createdAt","lastLogin"}: the
// times are RFC 3339; "lastLogin": null means never logged in, an absent
// field is left as it is.
func (s *Server) adminAge(c *call) reply {
	var req struct {
		ID        string          `json:"id"`
		CreatedAt *time.Time      `json:"createdAt"`
		LastLogin json.RawMessage `json:"lastLogin"`
	}
	if rep := c.decodeStrict(&req); rep != nil {
		return *rep
	}
	if req.ID == "" {
		return c.fail(http.StatusBadRequest, "id is required")
	}
	age := Aging{CreatedAt: req.CreatedAt}
	switch {
	case req.LastLogin == nil:
	case bytes.Equal(bytes.TrimSpace(req.LastLogin), []byte("null")):
		age.NeverLoggedIn = true
	default:
		var t time.Time
		if err := json.Unmarshal(req.LastLogin, &t); err != nil {
			return c.fail(http.StatusBadRequest, "lastLogin: want an RFC 3339 time or null")
		}
		age.LastLogin = &t
	}
	if age.CreatedAt == nil && age.LastLogin == nil && !age.NeverLoggedIn {
		return c.fail(http.StatusBadRequest, "nothing to set: give createdAt, lastLogin or both")
	}
	if err := s.SetTimes(req.ID, age); err != nil {
		return adminError(c, err)
	}
	return reply{status: http.StatusNoContent}
}
