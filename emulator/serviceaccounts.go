package emulator

import (
	"encoding/json"
	"net/http"
	"sort"
)

// renderSA is the ServiceAccount schema (no secret).
func renderSA(sa *serviceAccount) map[string]any {
	return map[string]any{
		"id": sa.ID, "name": sa.Name, "clientId": sa.ClientID, "createdBy": sa.CreatedBy,
		"createdAt": formatTime(sa.CreatedAt), "updatedAt": formatTime(sa.UpdatedAt),
		"enabled": sa.Enabled, "tenantId": "1", "lastLogin": formatTimePtr(sa.LastLogin),
	}
}

// lookupSA finds a service account by id; the reply is the 404 otherwise.
// The caller holds s.mu.
func (s *Server) lookupSA(c *call) (*serviceAccount, *reply) {
	id := c.params["serviceAccountId"]
	sa := s.db.ServiceAccounts[id]
	if sa == nil {
		rep := c.fail(http.StatusNotFound, "service account %s not found", id)
		return nil, &rep
	}
	return sa, nil
}

// saList serves GET /api/v1/service-accounts: a JSON array.
func (s *Server) saList(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := make([]*serviceAccount, 0, len(s.db.ServiceAccounts))
	for _, sa := range s.db.ServiceAccounts {
		list = append(list, sa)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Seq < list[j].Seq })
	out := make([]map[string]any, len(list))
	for i, sa := range list {
		out[i] = renderSA(sa)
	}
	return ok(http.StatusOK, out)
}

// saCreate serves POST /api/v1/service-accounts: 201 with the one-time
// secret; 409 when the name is taken in the tenant.
func (s *Server) saCreate(c *call) reply {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return c.fail(http.StatusBadRequest, "request body: %s", jsonProblem(err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sa := range s.db.ServiceAccounts {
		if sa.Name == req.Name {
			return c.fail(http.StatusConflict, "a service account named %q already exists (id %s)", req.Name, sa.ID)
		}
	}
	now := c.now.UTC()
	sa := &serviceAccount{
		ID: s.ids.uuid(), Name: req.Name, ClientID: "sa-" + s.ids.hex(16), ClientSecret: s.clientSecret(),
		CreatedBy: c.who.User, CreatedAt: now, UpdatedAt: now, Enabled: true, Seq: s.db.nextSeq(),
	}
	s.db.ServiceAccounts[sa.ID] = sa
	s.changed()
	return ok(http.StatusCreated, map[string]any{"id": sa.ID, "name": sa.Name, "clientId": sa.ClientID, "clientSecret": sa.ClientSecret})
}

// saGet serves GET /api/v1/service-accounts/{serviceAccountId}.
func (s *Server) saGet(c *call) reply {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sa, rep := s.lookupSA(c)
	if rep != nil {
		return *rep
	}
	return ok(http.StatusOK, renderSA(sa))
}

// saDelete serves DELETE /api/v1/service-accounts/{serviceAccountId}: 204.
func (s *Server) saDelete(c *call) reply {
	return writeTo(s, c, s.lookupSA, func(sa *serviceAccount) reply {
		delete(s.db.ServiceAccounts, sa.ID)
		return reply{status: http.StatusNoContent}
	})
}

// saPatch serves PATCH /api/v1/service-accounts/{serviceAccountId} with
// {"enabled": bool}: 200 and no body, as the spec lists no content.
func (s *Server) saPatch(c *call) reply {
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if len(c.body) == 0 {
		return c.fail(http.StatusBadRequest, "request body is required: {\"enabled\": true|false}")
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return c.fail(http.StatusBadRequest, "request body: %s", jsonProblem(err))
	}
	return writeTo(s, c, s.lookupSA, func(sa *serviceAccount) reply {
		sa.Enabled = *req.Enabled
		sa.UpdatedAt = c.now.UTC()
		return reply{status: http.StatusOK}
	})
}

// saRegenerate serves POST …/{serviceAccountId}/secret: a new secret that
// replaces the old one at once.
func (s *Server) saRegenerate(c *call) reply {
	return writeTo(s, c, s.lookupSA, func(sa *serviceAccount) reply {
		sa.ClientSecret = s.clientSecret()
		sa.UpdatedAt = c.now.UTC()
		return ok(http.StatusOK, map[string]any{"clientSecret": sa.ClientSecret})
	})
}
