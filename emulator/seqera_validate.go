package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// seqeraProvider lists a Seqera provider's key fields; secret ones are
// write-only.
type seqeraProvider struct {
	public, secret []string
}

var seqeraProviders = map[string]seqeraProvider{
	"aws":           {public: []string{"accessKey", "assumeRoleArn"}, secret: []string{"secretKey"}},
	"azure":         {public: []string{"batchName", "storageName"}, secret: []string{"batchKey", "storageKey"}},
	"google":        {secret: []string{"data"}},
	"github":        {public: []string{"username"}, secret: []string{"password"}},
	"gitlab":        {public: []string{"username"}, secret: []string{"password", "token"}},
	"bitbucket":     {public: []string{"username"}, secret: []string{"password"}},
	"gitea":         {public: []string{"username"}, secret: []string{"password"}},
	"codecommit":    {public: []string{"username"}, secret: []string{"password"}},
	"ssh":           {secret: []string{"privateKey", "passphrase"}},
	"k8s":           {public: []string{"certificate"}, secret: []string{"privateKey", "token"}},
	"container-reg": {public: []string{"userName", "registry"}, secret: []string{"password"}},
}

func seqeraProviderNames() string {
	names := make([]string, 0, len(seqeraProviders))
	for n := range seqeraProviders {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// seqeraBody is the body of POST and PUT /api/credentials.
type seqeraBody struct {
	Credentials *seqeraInput `json:"credentials"`
}

type seqeraInput struct {
	ID          *string                    `json:"id"`
	Name        string                     `json:"name"`
	Description string                     `json:"description"`
	Provider    string                     `json:"provider"`
	BaseURL     string                     `json:"baseUrl"`
	Category    string                     `json:"category"`
	Keys        map[string]json.RawMessage `json:"keys"`
}

// readSeqeraBody decodes and checks a create or update body; keys come
// back without the discriminator.
func readSeqeraBody(c *call) (*seqeraInput, map[string]string, *reply) {
	var body seqeraBody
	if rep := c.decodeStrict(&body); rep != nil {
		return nil, nil, rep
	}
	bad := func(format string, args ...any) (*seqeraInput, map[string]string, *reply) {
		rep := c.fail(http.StatusBadRequest, format, args...)
		return nil, nil, &rep
	}
	in := body.Credentials
	switch {
	case in == nil:
		return bad(`request body: "credentials" is required`)
	case strings.TrimSpace(in.Name) == "":
		return bad("credentials.name is required")
	case len(in.Name) > 100:
		return bad("credentials.name is longer than 100 characters")
	case len(in.Category) > 20:
		return bad("credentials.category is longer than 20 characters")
	case len(in.BaseURL) > 200:
		return bad("credentials.baseUrl is longer than 200 characters")
	case in.Provider == "":
		return bad("credentials.provider is required (one of %s)", seqeraProviderNames())
	case in.Keys == nil:
		return bad("credentials.keys is required")
	}
	prov, known := seqeraProviders[in.Provider]
	if !known {
		return bad("credentials.provider %q is unknown (use one of %s)", in.Provider, seqeraProviderNames())
	}
	allowed := map[string]bool{}
	for _, f := range append(append([]string{}, prov.public...), prov.secret...) {
		allowed[f] = true
	}
	keys := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(in.Keys)) {
		var v *string
		if err := json.Unmarshal(in.Keys[k], &v); err != nil {
			return bad("credentials.keys.%s must be a string", k)
		}
		if k == "discriminator" {
			if v != nil && *v != in.Provider {
				return bad("credentials.keys.discriminator %q does not match provider %q", *v, in.Provider)
			}
			continue
		}
		if !allowed[k] {
			return bad("credentials.keys: unknown field %q for provider %s (allowed: %s)", k, in.Provider, strings.Join(append(append([]string{}, prov.public...), prov.secret...), ", "))
		}
		if v != nil {
			keys[k] = *v
		}
	}
	return in, keys, nil
}

// seqeraWorkspace reads the workspaceId query parameter (0 when absent:
// the personal workspace).
func (s *Server) seqeraWorkspace(c *call, extra ...string) (int64, *reply) {
	for k := range c.query {
		known := k == "workspaceId"
		for _, e := range extra {
			known = known || k == e
		}
		if !known {
			rep := c.fail(http.StatusBadRequest, "unknown query parameter %q", k)
			return 0, &rep
		}
	}
	raw := c.query.Get("workspaceId")
	if raw == "" {
		return 0, nil
	}
	ws, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || ws <= 0 {
		rep := c.fail(http.StatusBadRequest, "workspaceId must be a positive number, not %q", raw)
		return 0, &rep
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, w := range s.db.SeqeraWorkspaces {
		if w == ws {
			return ws, nil
		}
	}
	rep := c.fail(http.StatusForbidden, "workspace %d not found or not accessible", ws)
	return 0, &rep
}

// renderSeqera is a credential as Seqera shows it: keys hold the
// discriminator and the non-secret fields only, and are left out with
// Options.SeqeraNoKeys.
func (s *Server) renderSeqera(cr *seqeraCred) map[string]any {
	keys := map[string]any{"discriminator": cr.Provider}
	for _, f := range seqeraProviders[cr.Provider].public {
		if v, set := cr.Keys[f]; set {
			keys[f] = v
		}
	}
	out := map[string]any{
		"id": cr.ID, "name": cr.Name, "provider": cr.Provider, "deleted": false, "lastUsed": nil,
		"dateCreated": formatTime(cr.DateCreated), "lastUpdated": formatTime(cr.LastUpdated), "keys": keys,
	}
	if s.opts.SeqeraNoKeys {
		delete(out, "keys") // the seed's reply shape: no keys at all
	}
	for k, v := range map[string]string{"description": cr.Description, "baseUrl": cr.BaseURL, "category": cr.Category} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

func seqeraLabel(ws int64) string {
	if ws == 0 {
		return "the personal workspace"
	}
	return fmt.Sprintf("workspace %d", ws)
}
