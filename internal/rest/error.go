package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/runai-sync/runai-sync/resource"
)

// Error is a request that did not succeed: an HTTP status the caller must
// handle (Status set), or no usable reply at all (Status 0, Err set: a
// network error after the last attempt, or the context's error).
//
// Its text names the method and path and what the server said; it never
// holds a request body or header.
type Error struct {
	Method string
	// Path is the request path, without the base URL or query.
	Path string
	// Status is the HTTP status of the last reply, 0 when there was none.
	Status int
	// Message is what the server said: the "message" of its JSON error
	// body, else the status text; for Status 0 the cause in words.
	Message string
	// Attempts counts the attempts made.
	Attempts int
	// MaybeApplied is true when the request is a POST or PATCH and some
	// attempt ended in a way that may have reached the server (a 5xx, a
	// timeout, a network error after the request was written): the effect
	// may have happened although no success was seen.
	MaybeApplied bool
	// Location is the Location header of a redirect, which the client does
	// not follow.
	Location string
	// GaveUp says why retrying stopped, when it stopped for its bounds:
	// "after 8 attempts", "retry budget of 2m0s spent".
	GaveUp string
	// Err is the cause when there was no reply (network or context error).
	Err error
}

// Summary is the status and message alone, "409 a credential named … already
// exists", for callers that name the request themselves.
func (e *Error) Summary() string {
	var b strings.Builder
	if e.Status != 0 {
		b.WriteString(strconv.Itoa(e.Status))
		b.WriteByte(' ')
	}
	b.WriteString(e.Message)
	if e.Location != "" {
		b.WriteString(" " + redirectHint(e.Location, e.Path))
	}
	if e.GaveUp != "" {
		b.WriteString(" (gave up " + e.GaveUp + ")")
	}
	return b.String()
}

// Request is "METHOD /path", for messages.
func (e *Error) Request() string { return e.Method + " " + e.Path }

// Error implements error: "POST /api/v1/x: 409 … (gave up after 8 attempts)".
func (e *Error) Error() string { return e.Request() + ": " + e.Summary() }

// Unwrap returns the cause of an error without a reply, so errors.Is works
// with context.Canceled or syscall.ECONNREFUSED.
func (e *Error) Unwrap() error { return e.Err }

// IsStatus reports whether err is an *Error with one of the statuses.
func IsStatus(err error, statuses ...int) bool {
	var re *Error
	if !errors.As(err, &re) {
		return false
	}
	for _, s := range statuses {
		if re.Status == s {
			return true
		}
	}
	return false
}

// maxMessage bounds the server message kept in an error.
const maxMessage = 500

// serverMessage extracts the message of a JSON error body
// ({"code","message"} or {"message"}), else returns the status text.
func serverMessage(status int, body []byte) string {
	var e struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		msg = e.Message
		if msg == "" {
			msg = e.Error
		}
	}
	// Scrub secrets before the message is cut short or its spaces folded,
	// either of which would leave a part of a value that output's scrubbing
	// no longer recognises.
	msg = strings.Join(strings.Fields(resource.Redact(msg)), " ")
	if msg == "" {
		msg = http.StatusText(status)
	}
	if msg == "" {
		msg = "unexpected status"
	}
	return truncate(msg, maxMessage)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// causeMessage describes a transport error without the URL the net/http
// package puts in front (the Error names the request already).
func causeMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return truncate(err.Error(), maxMessage)
}

// roundDuration prints durations of messages and logs readably.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// decodeMessage says why a reply could not be decoded in the API's terms:
// the field and the JSON types, never a Go type, and never a value.
func decodeMessage(err error) string {
	var te *jsonv1.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "the reply"
		} else {
			field = "field " + field
		}
		return fmt.Sprintf("%s is %s, not %s as the API documents", field, withArticle(te.Value), jsonKind(te.Type))
	}
	var se *jsonv1.SyntaxError
	switch {
	case errors.As(err, &se) && se.Error() == "unexpected end of JSON input", errors.Is(err, io.ErrUnexpectedEOF):
		return "the reply ends in the middle of its JSON"
	case errors.As(err, &se):
		return fmt.Sprintf("the reply is not valid JSON (at byte %d)", se.Offset)
	}
	return "the reply does not have the API's shape"
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another type"
}

// withArticle is "a string", "an object", "a number 1.5" for a JSON value
// kind as encoding/json names it ("string", "number 1.5", "object"…).
func withArticle(kind string) string {
	kind, _, _ = strings.Cut(kind, " ") // "number -1": never show the value
	switch kind {
	case "array", "object":
		return "an " + kind
	case "bool":
		return "true or false"
	}
	return "a " + kind
}

// redirectHint says what to do about a redirect of a request to path: the
// base URL that would reach path where the server points, when the
// Location ends with it (https:// for http://, another host), else that
// redirects are not followed.
func redirectHint(location, path string) string {
	u, err := url.Parse(location)
	if err == nil && u.IsAbs() && u.Host != "" && strings.HasSuffix(u.Path, path) {
		base := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, path)
		return fmt.Sprintf("(the server redirects to %s: set the base URL to %s)", location, base)
	}
	return fmt.Sprintf("(the server redirects to %s, and redirects are not followed: set the base URL to the address where the API answers, without a redirect)", location)
}
