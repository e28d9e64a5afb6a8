package runai

import (
	"context"
	"net/http"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// listAccessKeys reads the caller's access keys.
func (c *Client) listAccessKeys(ctx context.Context) ([]accessKey, error) {
	return c.listKeys(ctx, "list access keys", manifest.Key{}, accessKeysPath)
}

// listAllAccessKeys reads every user's access keys, with createdBy,
// through the administration listing.
func (c *Client) listAllAccessKeys(ctx context.Context) ([]accessKey, error) {
	return c.listKeys(ctx, "list the access keys of all users", manifest.Key{}, adminAccessKeysPath)
}

func (c *Client) listKeys(ctx context.Context, op string, key manifest.Key, path string) ([]accessKey, error) {
	var l accessKeyList
	if _, err := c.call(ctx, op, key, rest.Request{Method: http.MethodGet, Path: path}, &l); err != nil {
		return nil, err
	}
	return l.AccessKeys, nil
}

// findAccessKey reads back the caller's access key of key by name (names
// are unique per owner). Found is false when there is none.
func (c *Client) findAccessKey(ctx context.Context, key manifest.Key) (accessKey, bool, error) {
	l, err := c.listKeys(ctx, "read back", key, accessKeysPath)
	return named(l, key.Name, err)
}
