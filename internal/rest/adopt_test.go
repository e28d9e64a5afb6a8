package rest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

func TestAdoptLostCreate(t *testing.T) {
	t.Parallel()
	key := manifest.Key{Kind: manifest.KindCredential, Name: "s3"}
	want := map[string]string{"spec.type": `"accessKey"`}
	clash := &Error{Method: "POST", Path: "/api/v1/asset/credentials/access-key", Status: http.StatusConflict, Message: "exists"}
	lost := *clash
	lost.MaybeApplied = true
	readErr := errors.New("list failed")
	read := func(id string, attrs map[string]string, found bool, err error) ReadBack {
		return func(context.Context) (string, map[string]string, bool, error) { return id, attrs, found, err }
	}
	tests := []struct {
		name   string
		err    error
		read   ReadBack
		wantID string
		errHas string
	}{
		{"ours: adopted", &lost, read("7", want, true, nil), "7", ""},
		{"not a retry: made by another since the plan", clash, read("7", want, true, nil), "", "it was created since the plan was made: run plan again"},
		{"gone when read back", &lost, read("", nil, false, nil), "", "nothing of that name can be read back"},
		{"differs: not taken", &lost, read("7", map[string]string{"spec.type": `"password"`}, true, nil), "", "differs from the manifest"},
		{"read back fails", &lost, read("", nil, false, readErr), "", "list failed"},
	}
	for _, tt := range tests {
		id, err := AdoptLostCreate(t.Context(), key, want, tt.err, "the API", tt.read)
		if id != tt.wantID {
			t.Errorf("%s: id = %q, want %q", tt.name, id, tt.wantID)
		}
		switch {
		case tt.errHas == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
			t.Errorf("%s: error = %v, want one saying %q", tt.name, err, tt.errHas)
		}
	}
	if !Conflict(fmtWrap(&lost)) || Conflict(&Error{Status: http.StatusBadRequest}) || Conflict(readErr) {
		t.Error("Conflict does not tell a 409 from other errors")
	}
}

func fmtWrap(err error) error { return &OpError{Op: "create", Err: err} }
