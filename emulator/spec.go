package emulator

import (
	"context"
	_ "embed"
	"fmt"
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

var (
	routerOnce sync.Once
	routerDoc  *openapi3.T
	router     routers.Router
	routerErr  error
)

func loadSpec() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(specJSON)
	if err != nil {
		return nil, fmt.Errorf("emulator: load embedded OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("emulator: embedded OpenAPI document is invalid: %w", err)
	}
	return doc, nil
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
