package seqera

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"github.com/runai-sync/runai-sync/manifest"
)

// credentialsPath is the collection of credentials, under the endpoint.
const credentialsPath = "/credentials"

// itemPath is the path of one credential.
func itemPath(id string) string { return credentialsPath + "/" + url.PathEscape(id) }

// discriminator is the key that repeats the provider in keys.
const discriminator = "discriminator"

// writeBody is the body of POST and PUT /credentials: the whole credential,
// secret keys included.
type writeBody struct {
	Credentials writeCredential `json:"credentials"`
}

// writeCredential is a credential as runai-sync sends it. Empty optional
// fields are left out: a PUT replaces the whole credential, so leaving one
// out clears it.
type writeCredential struct {
	// ID is sent on update only, matching the path.
	ID          string    `json:"id,omitempty"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Provider    string    `json:"provider"`
	BaseURL     string    `json:"baseUrl,omitempty"`
	Category    string    `json:"category,omitempty"`
	Keys        writeKeys `json:"keys"`
}

// writeKeys are the keys sent, secret values in clear (the discriminator
// included). Its Format method keeps them out of fmt output.
type writeKeys map[string]string

// Format keeps key values out of fmt output, should a body ever be
// printed.
func (writeKeys) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "{"+manifest.Redacted+"}") }

// liveCredential is a credential as Seqera returns it. Server fields
// runai-sync ignores (dateCreated, lastUpdated, lastUsed) are not decoded.
type liveCredential struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Provider    string  `json:"provider"`
	BaseURL     *string `json:"baseUrl"`
	Category    *string `json:"category"`
	Deleted     *bool   `json:"deleted"`
	// Keys hold the discriminator and the non-secret fields; secret
	// fields are write-only. Values other than strings are ignored.
	Keys map[string]json.RawMessage `json:"keys"`
}

// listReply is the reply of GET /credentials.
type listReply struct {
	Credentials []liveCredential `json:"credentials"`
}

// createReply is the reply of POST /credentials in either shape: the
// current platform's {"credentialsId": …} or the seed's {"credentials":
// {"id": …, …}}.
type createReply struct {
	CredentialsID string `json:"credentialsId"`
	Credentials   *struct {
		ID string `json:"id"`
	} `json:"credentials"`
}

// id is the id of the created credential, whichever the shape.
func (r createReply) id() string {
	if r.CredentialsID != "" {
		return r.CredentialsID
	}
	if r.Credentials != nil {
		return r.Credentials.ID
	}
	return ""
}

// conflictReply is the 409 of DELETE /credentials/{id}?checked=true.
type conflictReply struct {
	CredentialsID string     `json:"credentialsId"`
	Conflicts     []Conflict `json:"conflicts"`
}
