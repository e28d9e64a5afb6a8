package rest

import (
	"context"
	"errors"
	"maps"
	"net/http"

	"github.com/runai-sync/runai-sync/resource"
)

// ReadBack reads back the object of a name after a create: its id and its
// non-secret fields in plan form; found is false when there is none.
type ReadBack func(ctx context.Context) (id string, attrs map[string]string, found bool, err error)

// Conflict reports whether err is the API's 409 answer to a create.
func Conflict(err error) bool { return IsStatus(err, http.StatusConflict) }

// AdoptLostCreate settles a create of key that met 409 Conflict (err).
// When the clash may come from our own earlier try whose reply was lost
// (the request may have been applied), it reads the object of that name
// back and takes it, returning its id, if its fields are want; a create
// is never made twice. Otherwise the object was made by someone else since
// the plan, and the error says to plan again. api names the service in the
// error ("the API", "Seqera").
func AdoptLostCreate(ctx context.Context, key resource.Key, want map[string]string, err error, api string, read ReadBack) (string, error) {
	var re *Error
	if !errors.As(err, &re) || !re.MaybeApplied {
		return "", &OpError{Op: "create", Key: key, Err: err,
			Hint: "it already exists; it was created since the plan was made: run plan again"}
	}
	id, attrs, found, rerr := read(ctx)
	switch {
	case rerr != nil:
		return "", rerr
	case !found:
		return "", &OpError{Op: "create", Key: key, Err: err,
			Hint: "the reply to the create was lost and " + api + " then reported a clash, but nothing of that name can be read back: run plan again"}
	case !maps.Equal(want, attrs):
		return "", &OpError{Op: "create", Key: key, Err: err,
			Hint: "the reply to the create was lost, and what is there under that name differs from the manifest (someone else made it?): run plan again"}
	}
	return id, nil
}
