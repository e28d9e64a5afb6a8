package emulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// assetPrefix is where the credential asset operations live.
const assetPrefix = "/api/v1/asset/credentials"

// buildSpecRoutes binds every operation of the spec to its handler. An
// operation without a handler is an error, so the emulator cannot silently
// fall behind the spec.
func (s *Server) buildSpecRoutes() (map[string]*route, error) {
	out := map[string]*route{}
	for _, path := range routerDoc.Paths.InMatchingOrder() {
		item := routerDoc.Paths.Value(path)
		for method, op := range item.Operations() {
			fn := s.specHandler(method, path, op)
			if fn == nil {
				return nil, fmt.Errorf("emulator: no handler for %s %s (%s)", method, path, op.OperationID)
			}
			out[op.OperationID] = newRoute(method, path, authRunai, flavorRunai, fn)
		}
	}
	return out, nil
}

func (s *Server) specHandler(method, path string, op *openapi3.Operation) handlerFunc {
	if path == assetPrefix && method == http.MethodGet {
		return s.assetListAll
	}
	if rest, found := strings.CutPrefix(path, assetPrefix+"/"); found {
		seg, id, _ := strings.Cut(rest, "/")
		t := assetTypeByPath(seg)
		if t == nil {
			return nil
		}
		switch {
		case id == "" && method == http.MethodGet:
			return s.assetList(t)
		case id == "" && method == http.MethodPost:
			return s.assetCreate(t)
		case id == "{AssetId}" && method == http.MethodGet:
			return s.assetGet(t)
		case id == "{AssetId}" && method == http.MethodPut:
			return s.assetUpdate(t)
		case id == "{AssetId}" && method == http.MethodDelete:
			return s.assetDelete(t, successStatus(op))
		}
		return nil
	}
	handlers := map[string]handlerFunc{
		"GET /api/v1/service-accounts":                             s.saList,
		"POST /api/v1/service-accounts":                            s.saCreate,
		"GET /api/v1/service-accounts/{serviceAccountId}":          s.saGet,
		"DELETE /api/v1/service-accounts/{serviceAccountId}":       s.saDelete,
		"PATCH /api/v1/service-accounts/{serviceAccountId}":        s.saPatch,
		"POST /api/v1/service-accounts/{serviceAccountId}/secret":  s.saRegenerate,
		"GET /api/v1/access-keys":                                  s.akList,
		"POST /api/v1/access-keys":                                 s.akCreate,
		"GET /api/v1/access-keys/{accessKeyId}":                    s.akGet,
		"DELETE /api/v1/access-keys/{accessKeyId}":                 s.akDelete,
		"POST /api/v1/access-keys/{accessKeyId}/secret":            s.akRegenerate,
		"GET /api/v1/administration/access-keys":                   s.akAdminList,
		"DELETE /api/v1/administration/access-keys/{accessKeyId}":  s.akAdminDelete,
		"GET /api/v1/org-unit/projects":                            s.handleProjects,
		"GET /api/v1/org-unit/departments":                         s.handleDepartments,
		"GET /api/v1/clusters":                                     s.handleClusters,
		"GET /api/v1/authorization/roles":                          s.rolesList,
		"GET /api/v1/authorization/access-rules":                   s.rulesList,
		"POST /api/v1/authorization/access-rules":                  s.ruleCreate,
		"GET /api/v1/authorization/access-rules/{accessRuleId}":    s.ruleGet,
		"DELETE /api/v1/authorization/access-rules/{accessRuleId}": s.ruleDelete,
	}
	return handlers[method+" "+path]
}

// successStatus is the lowest 2xx status an operation lists.
func successStatus(op *openapi3.Operation) int {
	for code := 200; code < 300; code++ {
		if op.Responses.Status(code) != nil {
			return code
		}
	}
	return http.StatusOK
}
