package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"
)

// handlerFunc serves one matched request.
type handlerFunc func(*call) reply

// authKind says how a route authenticates its caller.
type authKind int

const (
	authNone   authKind = iota // token endpoint
	authRunai                  // Bearer JWT from POST /api/v1/token
	authSeqera                 // Bearer Options.SeqeraToken
)

// call carries one request through its handler.
type call struct {
	s      *Server
	r      *http.Request
	params map[string]string
	query  url.Values
	body   []byte
	who    principal
	now    time.Time
	flavor flavor
	grants *grants // a service account's access rules (authorize); nil: unrestricted
}

func (c *call) fail(status int, format string, args ...any) reply {
	return errorReply(c.flavor, status, format, args...)
}

// decodeStrict decodes the body into v, rejecting unknown fields and
// trailing data; the error is a 400 reply naming the problem.
func (c *call) decodeStrict(v any) *reply {
	if len(bytes.TrimSpace(c.body)) == 0 {
		rep := c.fail(http.StatusBadRequest, "request body is required")
		return &rep
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		rep := c.fail(http.StatusBadRequest, "request body: %s", jsonProblem(err))
		return &rep
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		rep := c.fail(http.StatusBadRequest, "request body: unexpected data after the JSON value")
		return &rep
	}
	return nil
}

// jsonProblem turns an encoding/json error into a short message that never
// quotes the offending value (it may be a secret).
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Sprintf("the body must be %s, not %s", jsonKind(te.Type.String()), te.Value)
		}
		return fmt.Sprintf("field %s must be %s, not %s", te.Field, jsonKind(te.Type.String()), te.Value)
	}
	msg := err.Error()
	if f, found := strings.CutPrefix(msg, "json: unknown field "); found {
		return "unknown field " + f
	}
	return strings.TrimPrefix(msg, "json: ")
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "string"):
		return "a string"
	case strings.Contains(goType, "bool"):
		return "a boolean"
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	default:
		return "an object"
	}
}

// route is one endpoint of the emulator: a spec operation or one of the
// routes the spec does not cover (token, Seqera).
type route struct {
	method   string
	template string // e.g. "/api/credentials/{credentialsId}"
	segs     []string
	fn       handlerFunc
	auth     authKind
	flavor   flavor
	mutation bool // subject to LostRate when it succeeds
	spec     *routers.Route
}

func (rt *route) key() string { return rt.method + " " + rt.template }

func newRoute(method, template string, auth authKind, f flavor, fn handlerFunc) *route {
	return &route{
		method: method, template: template, segs: strings.Split(strings.Trim(template, "/"), "/"),
		fn: fn, auth: auth, flavor: f,
		mutation: method != http.MethodGet && auth != authNone,
	}
}

// matchTemplate matches a path against the route's segments and returns
// the path parameters.
func (rt *route) matchTemplate(path string) (map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	var params map[string]string
	for i, s := range rt.segs {
		if strings.HasPrefix(s, "{") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.Trim(s, "{}")] = v
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// extraRoutes are the endpoints outside the OpenAPI document.
func (s *Server) extraRoutes() []*route {
	return []*route{
		newRoute(http.MethodPost, "/api/v1/token", authNone, flavorRunai, s.handleToken),
		newRoute(http.MethodGet, "/api/credentials", authSeqera, flavorSeqera, s.seqeraList),
		newRoute(http.MethodPost, "/api/credentials", authSeqera, flavorSeqera, s.seqeraCreate),
		newRoute(http.MethodGet, "/api/credentials/{credentialsId}", authSeqera, flavorSeqera, s.seqeraGet),
		newRoute(http.MethodPut, "/api/credentials/{credentialsId}", authSeqera, flavorSeqera, s.seqeraUpdate),
		newRoute(http.MethodDelete, "/api/credentials/{credentialsId}", authSeqera, flavorSeqera, s.seqeraDelete),
	}
}

// errNoRoute and errMethod are the outcomes of a failed match.
var (
	errNoRoute = errors.New("no route")
	errMethod  = errors.New("method not allowed")
)

// match finds the route of a request: the extra routes first, then the
// spec's router.
func (s *Server) match(r *http.Request) (*route, map[string]string, error) {
	pathKnown := false
	for _, rt := range s.extra {
		params, found := rt.matchTemplate(r.URL.Path)
		if !found {
			continue
		}
		if rt.method == r.Method {
			return rt, params, nil
		}
		pathKnown = true
	}
	if pathKnown {
		return nil, nil, errMethod
	}
	sr, params, err := s.router.FindRoute(r)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		return nil, nil, errMethod
	case err != nil:
		return nil, nil, errNoRoute
	}
	rt := s.specRoutes[sr.Operation.OperationID]
	if rt == nil {
		return nil, nil, errNoRoute
	}
	bound := *rt
	bound.spec = sr
	return &bound, params, nil
}
