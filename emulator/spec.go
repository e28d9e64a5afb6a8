package emulator

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specJSON is a copy of shared/api/runai-openapi.json, the
// Run:ai API contract the emulator serves.
//
//go:embed runai-openapi.json
var specJSON []byte

// orgSpecJSON is a copy of shared/api/runai-orgunits-authorization.json:
// org units, clusters, roles and access rules. Its descriptions marked
// "Docs check" record what the vendor's public docs confirm (see its
// info.description).
//
//go:embed runai-orgunits-authorization.json
var orgSpecJSON []byte

// orgSpecPaths are the paths of orgSpecJSON the emulator serves; they are
// merged into the main document, with every component of orgSpecJSON, so
// that one router validates them like any other operation. A path added
// here needs a handler in specHandler.
var orgSpecPaths = []string{
	"/api/v1/org-unit/projects",
	"/api/v1/org-unit/departments",
	"/api/v1/clusters",
	"/api/v1/authorization/roles",
	"/api/v1/authorization/access-rules",
	"/api/v1/authorization/access-rules/{accessRuleId}",
}

var (
	routerOnce sync.Once
	routerDoc  *openapi3.T
	router     routers.Router
	routerErr  error
)

func loadSpec() (*openapi3.T, error) {
	merged, err := mergeSpecs(specJSON, orgSpecJSON, orgSpecPaths)
	if err != nil {
		return nil, fmt.Errorf("emulator: merge the embedded OpenAPI documents: %w", err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(merged)
	if err != nil {
		return nil, fmt.Errorf("emulator: load embedded OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("emulator: embedded OpenAPI document is invalid: %w", err)
	}
	return doc, nil
}

// mergeSpecs adds the given paths of extra, and its components, to base.
// A component both documents define must be the same in both.
func mergeSpecs(base, extra []byte, paths []string) ([]byte, error) {
	var b, e map[string]any
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(extra, &e); err != nil {
		return nil, err
	}
	bp, _ := b["paths"].(map[string]any)
	ep, _ := e["paths"].(map[string]any)
	for _, p := range paths {
		item, found := ep[p]
		if !found {
			return nil, fmt.Errorf("path %s is not in the org-unit document", p)
		}
		if _, taken := bp[p]; taken {
			return nil, fmt.Errorf("path %s is in both documents", p)
		}
		bp[p] = item
	}
	bc, _ := b["components"].(map[string]any)
	ec, _ := e["components"].(map[string]any)
	for section, v := range ec {
		from, _ := v.(map[string]any)
		into, _ := bc[section].(map[string]any)
		if into == nil {
			into = map[string]any{}
			bc[section] = into
		}
		for name, def := range from {
			if have, taken := into[name]; taken && !reflect.DeepEqual(have, def) {
				return nil, fmt.Errorf("components.%s.%s differs between the documents", section, name)
			}
			into[name] = def
		}
	}
	return json.Marshal(b)
}

// specRouter returns the router built from a private copy of the document
// whose servers list is emptied, so that routes match any host (the spec
// names https://app.run.ai; the emulator listens on 127.0.0.1).
func specRouter() (routers.Router, error) {
	routerOnce.Do(func() {
		routerDoc, routerErr = loadSpec()
		if routerErr != nil {
			return
		}
		routerDoc.Servers = nil
		router, routerErr = gorillamux.NewRouter(routerDoc)
	})
	return router, routerErr
}

// uuidPattern accepts any RFC 9562 textual UUID (every version and variant,
// upper or lower case), which is what a UUID parser on the server accepts.
var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// schemaOptions are the schema validation options used for requests and
// responses: uuid format checks (date-time is checked by kin-openapi's
// global validators) and no echo of values in messages, since values may be
// secrets.
func schemaOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidator("uuid", openapi3.NewCallbackValidator(func(s string) error {
			if !uuidPattern.MatchString(s) {
				return fmt.Errorf("not a UUID")
			}
			return nil
		})),
		openapi3.DisableSchemaErrorDetails(),
	}
}
