package emulator

import (
	"net/http"
	"sort"
	"strconv"
)

// seqeraLookup finds a credential by id in a workspace (caller holds s.mu).
func (s *Server) seqeraLookup(c *call, ws int64) (*seqeraCred, *reply) {
	id := c.params["credentialsId"]
	cr := s.db.Seqera[id]
	if cr == nil || cr.Workspace != ws {
		rep := c.fail(http.StatusNotFound, "credentials %s not found in %s", id, seqeraLabel(ws))
		return nil, &rep
	}
	return cr, nil
}

// seqeraNameTaken returns the credential of workspace ws named name, other
// than except (caller holds s.mu).
func (s *Server) seqeraNameTaken(ws int64, name, except string) *seqeraCred {
	for _, cr := range s.db.Seqera {
		if cr.Workspace == ws && cr.Name == name && cr.ID != except {
			return cr
		}
	}
	return nil
}

// seqeraList serves GET /api/credentials.
func (s *Server) seqeraList(c *call) reply {
	ws, rep := s.seqeraWorkspace(c)
	if rep != nil {
		return *rep
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var list []*seqeraCred
	for _, cr := range s.db.Seqera {
		if cr.Workspace == ws {
			list = append(list, cr)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Seq < list[j].Seq })
	out := make([]map[string]any, len(list))
	for i, cr := range list {
		out[i] = s.renderSeqera(cr)
	}
	return ok(http.StatusOK, map[string]any{"credentials": out})
}

// seqeraIn is seqeraLookup in workspace ws.
func (s *Server) seqeraIn(ws int64) func(*call) (*seqeraCred, *reply) {
	return func(c *call) (*seqeraCred, *reply) { return s.seqeraLookup(c, ws) }
}

// seqeraGet serves GET /api/credentials/{credentialsId}.
func (s *Server) seqeraGet(c *call) reply {
	ws, rep := s.seqeraWorkspace(c)
	if rep != nil {
		return *rep
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	cr, rep := s.seqeraLookup(c, ws)
	if rep != nil {
		return *rep
	}
	return ok(http.StatusOK, map[string]any{"credentials": s.renderSeqera(cr)})
}

// seqeraCreate serves POST /api/credentials: 200 {"credentialsId"} (or,
// with SeqeraShape "seed", {"credentials": {…}}); 409 on a name clash in
// the workspace.
func (s *Server) seqeraCreate(c *call) reply {
	ws, rep := s.seqeraWorkspace(c)
	if rep != nil {
		return *rep
	}
	in, keys, rep := readSeqeraBody(c)
	if rep != nil {
		return *rep
	}
	if in.ID != nil {
		return c.fail(http.StatusBadRequest, "credentials.id must not be set on create")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if other := s.seqeraNameTaken(ws, in.Name, ""); other != nil {
		return c.fail(http.StatusConflict, "credentials named %q already exist in %s (id %s)", in.Name, seqeraLabel(ws), other.ID)
	}
	now := c.now.UTC()
	cr := &seqeraCred{
		Seq: s.db.nextSeq(), ID: s.ids.token(22), Workspace: ws, Name: in.Name, Description: in.Description,
		Provider: in.Provider, BaseURL: in.BaseURL, Category: in.Category, Keys: keys, DateCreated: now, LastUpdated: now,
	}
	s.db.Seqera[cr.ID] = cr
	s.changed()
	if s.opts.SeqeraShape == SeqeraShapeSeed {
		return ok(http.StatusOK, map[string]any{"credentials": s.renderSeqera(cr)})
	}
	return ok(http.StatusOK, map[string]any{"credentialsId": cr.ID})
}

// seqeraUpdate serves PUT /api/credentials/{credentialsId}: replaces the
// whole credential, keys included; 204. The provider cannot change.
func (s *Server) seqeraUpdate(c *call) reply {
	ws, rep := s.seqeraWorkspace(c)
	if rep != nil {
		return *rep
	}
	in, keys, rep := readSeqeraBody(c)
	if rep != nil {
		return *rep
	}
	return writeTo(s, c, s.seqeraIn(ws), func(cr *seqeraCred) reply {
		switch {
		case in.ID != nil && *in.ID != cr.ID:
			return c.fail(http.StatusBadRequest, "credentials.id %q does not match the id in the path %q", *in.ID, cr.ID)
		case in.Provider != cr.Provider:
			return c.fail(http.StatusBadRequest, "credentials.provider cannot change from %s to %s: delete and create instead", cr.Provider, in.Provider)
		}
		if other := s.seqeraNameTaken(ws, in.Name, cr.ID); other != nil {
			return c.fail(http.StatusConflict, "credentials named %q already exist in %s (id %s)", in.Name, seqeraLabel(ws), other.ID)
		}
		cr.Name, cr.Description, cr.BaseURL, cr.Category, cr.Keys = in.Name, in.Description, in.BaseURL, in.Category, keys
		cr.LastUpdated = c.now.UTC()
		return reply{status: http.StatusNoContent}
	})
}

// seqeraDelete serves DELETE /api/credentials/{credentialsId}[?checked=true]:
// 204, or with checked=true 409 listing the workflows that use it.
func (s *Server) seqeraDelete(c *call) reply {
	ws, rep := s.seqeraWorkspace(c, "checked")
	if rep != nil {
		return *rep
	}
	checked := false
	if raw := c.query.Get("checked"); raw != "" {
		var err error
		if checked, err = strconv.ParseBool(raw); err != nil {
			return c.fail(http.StatusBadRequest, "checked must be true or false, not %q", raw)
		}
	}
	return writeTo(s, c, s.seqeraIn(ws), func(cr *seqeraCred) reply {
		if checked && len(cr.Jobs) > 0 {
			conflicts := make([]map[string]string, len(cr.Jobs))
			for i, j := range cr.Jobs {
				conflicts[i] = map[string]string{"type": "workflow", "id": j.ID, "name": j.Name, "url": "/workflow/" + j.ID}
			}
			return ok(http.StatusConflict, map[string]any{"credentialsId": cr.ID, "conflicts": conflicts})
		}
		delete(s.db.Seqera, cr.ID)
		return reply{status: http.StatusNoContent}
	})
}
