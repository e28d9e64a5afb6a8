package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// flavor says which vendor's error shape a route answers with.
type flavor int

const (
	flavorRunai  flavor = iota // {"code": N, "message": "…"}
	flavorSeqera               // {"message": "…"}
	flavorAdmin                // {"code": N, "message": "…"}, never validated
)

// reply is what a handler (or a pipeline stage) answers. body is encoded as
// JSON; a nil body sends no content.
type reply struct {
	status     int
	body       any
	retryAfter int  // seconds, for 429
	pipeline   bool // made by a pipeline stage (rate limit, validation): exempt from the status check
}

// errorBody is the Run:ai error shape (components/schemas/Error).
type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// seqeraError is the Seqera error shape.
type seqeraError struct {
	Message string `json:"message"`
}

func errorReply(f flavor, status int, format string, args ...any) reply {
	msg := fmt.Sprintf(format, args...)
	if f == flavorSeqera {
		return reply{status: status, body: seqeraError{Message: msg}}
	}
	return reply{status: status, body: errorBody{Code: status, Message: msg}}
}

func ok(status int, body any) reply { return reply{status: status, body: body} }

// encode renders the reply's body; nil for no content.
func (r reply) encode() ([]byte, error) {
	if r.body == nil {
		return nil, nil
	}
	if raw, isRaw := r.body.(json.RawMessage); isRaw {
		return raw, nil
	}
	return json.Marshal(r.body)
}

func writeReply(w http.ResponseWriter, rep reply, body []byte) {
	if body != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	if rep.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(rep.retryAfter))
	}
	w.WriteHeader(rep.status)
	if body != nil {
		_, _ = w.Write(body)
	}
}
