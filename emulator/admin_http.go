package emulator

import (
	"errors"
	"io"
	"net/http"
)

// adminPrefix is where the emulator's own endpoints live: unauthenticated,
// not counted, never delayed, failed or validated against the spec.
const adminPrefix = "/_emulator/"

// serveAdmin answers the admin endpoints (see doc.go).
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeAdmin(w, errorReply(flavorAdmin, http.StatusBadRequest, "read body: %v", err))
		return
	}
	c := &call{s: s, r: r, body: body, now: s.now(), flavor: flavorAdmin, query: r.URL.Query()}
	s.reap(c.now)
	type endpoint struct {
		method string
		fn     handlerFunc
	}
	endpoints := map[string]endpoint{
		"usage":         {http.MethodPost, s.adminUsage},
		"status":        {http.MethodPost, s.adminStatus},
		"seqera/usage":  {http.MethodPost, s.adminSeqeraUsage},
		"access-keys":   {http.MethodPost, s.adminAccessKey},
		"age":           {http.MethodPost, s.adminAge},
		"expire-tokens": {http.MethodPost, func(*call) reply { s.ExpireTokens(); return reply{status: http.StatusNoContent} }},
		"reset-counts":  {http.MethodPost, func(*call) reply { s.ResetCounts(); return reply{status: http.StatusNoContent} }},
		"absences":      {http.MethodGet, func(*call) reply { return ok(http.StatusOK, s.absencesJSON()) }},
		"stats": {http.MethodGet, func(*call) reply {
			return ok(http.StatusOK, map[string]any{"total": s.TotalRequests(), "routes": s.Counts()})
		}},
	}
	ep, known := endpoints[r.URL.Path[len(adminPrefix):]]
	switch {
	case !known:
		writeAdmin(w, errorReply(flavorAdmin, http.StatusNotFound, "no admin endpoint %s", r.URL.Path))
	case r.Method != ep.method:
		writeAdmin(w, errorReply(flavorAdmin, http.StatusMethodNotAllowed, "use %s for %s", ep.method, r.URL.Path))
	default:
		writeAdmin(w, ep.fn(c))
	}
}

func writeAdmin(w http.ResponseWriter, rep reply) {
	body, err := rep.encode()
	if err != nil {
		rep = errorReply(flavorAdmin, http.StatusInternalServerError, "encode: %v", err)
		body, _ = rep.encode()
	}
	writeReply(w, rep, body)
}

// adminError maps a helper's error to 404 (unknown id) or 400.
func adminError(c *call, err error) reply {
	if errors.Is(err, errNotFound) {
		return c.fail(http.StatusNotFound, "%v", err)
	}
	return c.fail(http.StatusBadRequest, "%v", err)
}

func (s *Server) adminUsage(c *call) reply {
	var req struct {
		AssetID   string     `json:"assetId"`
		Workloads []Workload `json:"workloads"`
	}
	if rep := c.decodeStrict(&req); rep != nil {
		return *rep
	}
	if err := s.MarkInUse(req.AssetID, req.Workloads...); err != nil {
		return adminError(c, err)
	}
	return reply{status: http.StatusNoContent}
}

func (s *Server) adminStatus(c *call) reply {
	var req struct {
		AssetID string `json:"assetId"`
		Status  string `json:"status"`
	}
	if rep := c.decodeStrict(&req); rep != nil {
		return *rep
	}
	if err := s.SetSyncStatus(req.AssetID, req.Status); err != nil {
		return adminError(c, err)
	}
	return reply{status: http.StatusNoContent}
}

func (s *Server) adminSeqeraUsage(c *call) reply {
	var req struct {
		CredentialsID string      `json:"credentialsId"`
		Jobs          []SeqeraJob `json:"jobs"`
	}
	if rep := c.decodeStrict(&req); rep != nil {
		return *rep
	}
	if err := s.MarkSeqeraInUse(req.CredentialsID, req.Jobs...); err != nil {
		return adminError(c, err)
	}
	return reply{status: http.StatusNoContent}
}

func (s *Server) adminAccessKey(c *call) reply {
	var req struct {
		Name      string `json:"name"`
		CreatedBy string `json:"createdBy"`
	}
	if rep := c.decodeStrict(&req); rep != nil {
		return *rep
	}
	if req.Name == "" || req.CreatedBy == "" {
		return c.fail(http.StatusBadRequest, "name and createdBy are required")
	}
	id, clientID, secret, err := s.CreateForeignAccessKey(req.Name, req.CreatedBy)
	if err != nil {
		return c.fail(http.StatusConflict, "%v", err)
	}
	return ok(http.StatusCreated, map[string]string{"id": id, "clientId": clientID, "clientSecret": secret})
}
