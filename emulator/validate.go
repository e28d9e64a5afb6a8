package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// acceptAuthenticated satisfies the spec's bearerAuth requirement: the
// pipeline has authenticated the caller before validation runs.
func acceptAuthenticated(context.Context, *openapi3filter.AuthenticationInput) error { return nil }

func requestOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:                acceptAuthenticated,
		SchemaValidationOptions:           schemaOptions(),
		SkipSettingDefaults:               true,
		RejectWhenRequestBodyNotSpecified: true,
	}
}

// validateRequest checks a request of a spec operation: first with
// openapi3filter, then the emulator's stricter rules (unknown query
// parameters and unknown body fields are rejected; an update may carry
// meta.description only). It returns "" or the 400 message.
func (s *Server) validateRequest(c *call, rt *route) string {
	req := c.r.Clone(c.r.Context())
	req.Body = io.NopCloser(bytes.NewReader(c.body))
	req.ContentLength = int64(len(c.body))
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: c.params, QueryParams: c.query, Route: rt.spec, Options: requestOptions(),
	}
	if err := openapi3filter.ValidateRequest(c.r.Context(), in); err != nil {
		return describeRequestError(err)
	}
	op := rt.spec.Operation
	if name := unknownQueryParam(c.query, rt.spec.PathItem.Parameters, op.Parameters); name != "" {
		return fmt.Sprintf("unknown query parameter %q", name)
	}
	if op.RequestBody == nil || len(bytes.TrimSpace(c.body)) == 0 {
		return ""
	}
	v, err := decodeAny(c.body)
	if err != nil {
		return "request body: " + jsonProblem(err)
	}
	if isDescriptionUpdate(op) {
		if extra := outsideDescription(v); extra != "" {
			return fmt.Sprintf("only meta.description can be updated (the body also sets %s)", extra)
		}
		return ""
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return ""
	}
	if field := unknownField(mt.Schema, v, ""); field != "" {
		return fmt.Sprintf("request body: unknown field %s", field)
	}
	return ""
}

// isDescriptionUpdate reports the credential PUT operations, whose only
// updatable field is meta.description.
func isDescriptionUpdate(op *openapi3.Operation) bool {
	return strings.HasPrefix(op.OperationID, "update_") && op.RequestBody != nil &&
		strings.HasSuffix(op.RequestBody.Value.Content.Get("application/json").Schema.Ref, "UpdateRequest")
}

// outsideDescription names the first field of an update body other than
// meta.description.
func outsideDescription(v any) string {
	top, _ := v.(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(top)) {
		if k != "meta" {
			return k
		}
		meta, isObj := top[k].(map[string]any)
		if !isObj {
			continue
		}
		for _, mk := range slices.Sorted(maps.Keys(meta)) {
			if mk != "description" {
				return "meta." + mk
			}
		}
	}
	return ""
}

func unknownQueryParam(q map[string][]string, lists ...openapi3.Parameters) string {
	known := map[string]bool{}
	for _, l := range lists {
		for _, p := range l {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				known[p.Value.Name] = true
			}
		}
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !known[k] {
			return k
		}
	}
	return ""
}

// describeRequestError renders a kin-openapi request error as one line that
// names the parameter or body field and the rule it breaks, never the value.
func describeRequestError(err error) string {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return err.Error()
	}
	where := ""
	switch {
	case re.Parameter != nil:
		where = fmt.Sprintf("%s parameter %q", re.Parameter.In, re.Parameter.Name)
	case re.RequestBody != nil:
		where = "request body"
	}
	if ptr, reason, isSchema := schemaProblem(re.Err); isSchema {
		if where == "" {
			where = "request"
		}
		if ptr != "" {
			return fmt.Sprintf("%s: field %s: %s", where, ptr, reason)
		}
		return fmt.Sprintf("%s: %s", where, reason)
	}
	reason := re.Reason
	if re.Err != nil {
		if reason == "" {
			reason = re.Err.Error()
		} else {
			reason += ": " + re.Err.Error()
		}
	}
	if where == "" {
		return reason
	}
	return fmt.Sprintf("%s: %s", where, reason)
}

// validateResponse checks a reply of a spec operation against the spec and
// records any violation. Replies made by the pipeline itself (429, 503 of
// the fault injection, 400 of request validation, 401) are documented
// emulator behaviour: only their body shape is checked, not their status.
func (s *Server) validateResponse(r *http.Request, rt *route, rep reply, body []byte) {
	header := http.Header{}
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: r, Route: rt.spec, Options: requestOptions(),
		},
		Status: rep.status,
		Header: header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   !rep.pipeline,
			SchemaValidationOptions: schemaOptions(),
		},
	}
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		msg := err.Error()
		if ptr, reason, isSchema := schemaProblem(err); isSchema {
			msg = fmt.Sprintf("field %s: %s", ptr, reason)
		}
		s.viol.add(fmt.Sprintf("%s %s (%s) -> %d: %s", r.Method, r.URL.RequestURI(), rt.spec.Operation.OperationID, rep.status, msg))
	}
}

// schemaProblem finds the innermost schema error (through allOf/anyOf
// wrappers) and returns its dotted path and reason. kin-openapi marks the
// path on the inner errors too, so the longest path is the right one.
func schemaProblem(err error) (path, reason string, found bool) {
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return "", "", false
	}
	parts := se.JSONPointer()
	for {
		var inner *openapi3.SchemaError
		if se.Origin == nil || !errors.As(se.Origin, &inner) || inner == se {
			break
		}
		if p := inner.JSONPointer(); len(p) >= len(parts) {
			parts = p
		}
		se = inner
	}
	return strings.Join(parts, "."), se.Reason, true
}
