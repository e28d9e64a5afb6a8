package runai

import (
	"fmt"
	"io"

	"github.com/runai-sync/runai-sync/manifest"
)

// serviceAccountsPath is the collection of service accounts.
const serviceAccountsPath = "/api/v1/service-accounts"

// serviceAccountPath is one service account.
func serviceAccountPath(id string) string { return serviceAccountsPath + "/" + pathEscape(id) }

// identity holds what service accounts and access keys show alike. The
// secret is never readable.
type identity struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	ClientID  string  `json:"clientId"`
	CreatedAt *string `json:"createdAt"`
	LastLogin *string `json:"lastLogin"`
}

// serviceAccount is an entry of GET /api/v1/service-accounts (a bare JSON
// array). Fields runai-sync ignores (createdBy, updatedAt, tenantId) are
// not decoded.
type serviceAccount struct {
	identity
	Enabled bool `json:"enabled"`
}

// nameRequest is the body of a service account or access key create.
type nameRequest struct {
	Name string `json:"name"`
}

// enabledRequest is the body of PATCH /api/v1/service-accounts/{id}.
type enabledRequest struct {
	Enabled bool `json:"enabled"`
}

// createdIdentity is the reply of a service account or access key create:
// it holds the one-time secret, so it goes nowhere but to delivery.
type createdIdentity struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	ClientID     string  `json:"clientId"`
	ClientSecret string  `json:"clientSecret"`
	CreatedAt    *string `json:"createdAt"` // access keys only
}

// Format keeps the secret out of fmt output.
func (createdIdentity) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "{"+manifest.Redacted+"}")
}

// regeneratedSecret is the reply of POST …/{id}/secret.
type regeneratedSecret struct {
	ClientSecret string `json:"clientSecret"`
}

// Format keeps the secret out of fmt output.
func (regeneratedSecret) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "{"+manifest.Redacted+"}")
}
