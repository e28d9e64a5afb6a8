package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
)

// keysOf returns the access keys matching keep, in creation order. The
// caller holds s.mu.
func (s *Server) keysOf(keep func(*accessKey) bool) []*accessKey {
	var out []*accessKey
	for _, k := range s.db.AccessKeys {
		if keep(k) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func renderKey(k *accessKey, admin bool) map[string]any {
	m := map[string]any{
		"id": k.ID, "name": k.Name, "clientId": k.ClientID,
		"createdAt": formatTime(k.CreatedAt), "lastLogin": formatTimePtr(k.LastLogin),
	}
	if admin {
		m["createdBy"] = k.Owner
	}
	return m
}

// lookupKey finds an access key by id, and when owner is not empty only
// among that user's keys; the reply is the 404 otherwise.
func (s *Server) lookupKey(c *call, owner string) (*accessKey, *reply) {
	id := c.params["accessKeyId"]
	k := s.db.AccessKeys[id]
	if k == nil || (owner != "" && k.Owner != owner) {
		rep := c.fail(http.StatusNotFound, "access key %s not found", id)
		return nil, &rep
	}
	return k, nil
}

// akList serves GET /api/v1/access-keys: the caller's keys only.
func (s *Server) akList(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := s.keysOf(func(k *accessKey) bool { return k.Owner == c.who.User })
	out := make([]map[string]any, len(keys))
	for i, k := range keys {
		out[i] = renderKey(k, false)
	}
	return ok(http.StatusOK, map[string]any{"accessKeys": out})
}

// akCreate serves POST /api/v1/access-keys: 201 with the one-time secret;
// names are unique per owner (409).
func (s *Server) akCreate(c *call) reply {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return c.fail(http.StatusBadRequest, "request body: %s", jsonProblem(err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.createKey(req.Name, c.who.User, c)
	if err != nil {
		return c.fail(http.StatusConflict, "%v", err)
	}
	s.changed()
	return ok(http.StatusCreated, map[string]any{
		"id": k.ID, "name": k.Name, "clientId": k.ClientID, "clientSecret": k.ClientSecret, "createdAt": formatTime(k.CreatedAt),
	})
}

// createKey adds an access key owned by owner (caller holds s.mu).
func (s *Server) createKey(name, owner string, c *call) (*accessKey, error) {
	for _, k := range s.db.AccessKeys {
		if k.Owner == owner && k.Name == name {
			return nil, fmt.Errorf("%s already has an access key named %q (id %s)", owner, name, k.ID)
		}
	}
	now := s.now()
	if c != nil {
		now = c.now
	}
	k := &accessKey{
		ID: s.ids.uuid(), Name: name, ClientID: "ak-" + s.ids.hex(16), ClientSecret: s.clientSecret(),
		Owner: owner, CreatedAt: now.UTC(), Seq: s.db.nextSeq(),
	}
	s.db.AccessKeys[k.ID] = k
	return k, nil
}

// keyOf is lookupKey among owner's keys ("": any user's).
func (s *Server) keyOf(owner string) func(*call) (*accessKey, *reply) {
	return func(c *call) (*accessKey, *reply) { return s.lookupKey(c, owner) }
}

// akGet serves GET /api/v1/access-keys/{accessKeyId}; another user's key
// is 404.
func (s *Server) akGet(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, rep := s.lookupKey(c, c.who.User)
	if rep != nil {
		return *rep
	}
	return ok(http.StatusOK, renderKey(k, false))
}

// akDelete serves DELETE /api/v1/access-keys/{accessKeyId}: the caller's
// own keys only.
func (s *Server) akDelete(c *call) reply { return s.deleteKey(c, c.who.User) }

// akAdminDelete serves DELETE /api/v1/administration/access-keys/{id}: any
// user's key.
func (s *Server) akAdminDelete(c *call) reply { return s.deleteKey(c, "") }

func (s *Server) deleteKey(c *call, owner string) reply {
	return writeTo(s, c, s.keyOf(owner), func(k *accessKey) reply {
		delete(s.db.AccessKeys, k.ID)
		return reply{status: http.StatusNoContent}
	})
}

// akRegenerate serves POST /api/v1/access-keys/{accessKeyId}/secret.
func (s *Server) akRegenerate(c *call) reply {
	return writeTo(s, c, s.keyOf(c.who.User), func(k *accessKey) reply {
		k.ClientSecret = s.clientSecret()
		return ok(http.StatusOK, map[string]any{"clientSecret": k.ClientSecret})
	})
}

// akAdminList serves GET /api/v1/administration/access-keys: every user's
// keys with createdBy, filtered by clientId and createdBy.
func (s *Server) akAdminList(c *call) reply {
	clientID, createdBy := c.query.Get("clientId"), c.query.Get("createdBy")
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := s.keysOf(func(k *accessKey) bool {
		return (clientID == "" || k.ClientID == clientID) && (createdBy == "" || k.Owner == createdBy)
	})
	out := make([]map[string]any, len(keys))
	for i, k := range keys {
		out[i] = renderKey(k, true)
	}
	return ok(http.StatusOK, map[string]any{"accessKeys": out})
}
