package runai

import (
	"context"
	"net/http"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// listServiceAccounts reads every service account of the tenant; op and
// key name the read in errors.
func (c *Client) listServiceAccounts(ctx context.Context, op string, key manifest.Key) ([]serviceAccount, error) {
	var l []serviceAccount
	if _, err := c.call(ctx, op, key, rest.Request{Method: http.MethodGet, Path: serviceAccountsPath}, &l); err != nil {
		return nil, err
	}
	return l, nil
}

// findServiceAccount reads back the service account of key by name (names
// are unique in the tenant). Found is false when there is none.
func (c *Client) findServiceAccount(ctx context.Context, key manifest.Key) (serviceAccount, bool, error) {
	l, err := c.listServiceAccounts(ctx, "read back", key)
	return named(l, key.Name, err)
}

// setServiceAccountEnabled enables or disables a service account. A
// disabled account cannot log in; its secret stays valid for when it is
// enabled again.
func (c *Client) setServiceAccountEnabled(ctx context.Context, key manifest.Key, id string, enabled bool) error {
	op := "disable"
	if enabled {
		op = "enable"
	}
	_, err := c.call(ctx, op, key, rest.Request{Method: http.MethodPatch, Path: serviceAccountPath(id), Body: enabledRequest{Enabled: enabled}}, nil)
	return err
}
