package runai

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

func pathEscape(s string) string { return url.PathEscape(s) }

// listAllCredentials reads every credential of every type in one call,
// with usage and sync status.
func (c *Client) listAllCredentials(ctx context.Context) ([]liveAsset, error) {
	return c.listAll(ctx, url.Values{"usageInfo": {"true"}, "statusInfo": {"true"}})
}

// listCredentialStatus reads every credential with its sync status only.
func (c *Client) listCredentialStatus(ctx context.Context) ([]liveAsset, error) {
	return c.listAll(ctx, url.Values{"statusInfo": {"true"}})
}

func (c *Client) listAll(ctx context.Context, q url.Values) ([]liveAsset, error) {
	var l combinedList
	if _, err := c.call(ctx, "list credentials", manifest.Key{}, rest.Request{Method: http.MethodGet, Path: credentialsPath, Query: q}, &l); err != nil {
		return nil, err
	}
	return l.assets(), nil
}

// findCredential reads back the credential of key, through its type's list
// filtered by name, scope and scope id. Found is false when there is none.
func (c *Client) findCredential(ctx context.Context, key manifest.Key) (a liveAsset, found bool, err error) {
	t, ok := credTypeOf(key.Type)
	if !ok {
		return a, false, &Error{Op: "read back", Key: key, Err: fmt.Errorf("unknown credential type %q", key.Type)}
	}
	q := url.Values{"name": {key.Name}, "scope": {key.Scope}, "statusInfo": {"true"}}
	switch key.Scope {
	case manifest.ScopeProject:
		q.Set("projectId", key.ScopeID)
	case manifest.ScopeDepartment:
		q.Set("departmentId", key.ScopeID)
	case manifest.ScopeCluster:
		q.Set("clusterId", key.ScopeID)
	}
	var l typedList
	if _, err := c.call(ctx, "read back", key, rest.Request{Method: http.MethodGet, Path: t.collection(), Query: q}, &l); err != nil {
		return a, false, err
	}
	for _, e := range l.Entries {
		if k, ok := liveKey(e.Meta); ok && k == key {
			a, found = e.asset(), true
			if !a.beingDeleted() {
				break // a live one wins over one being deleted
			}
		}
	}
	return a, found, nil
}

// createCredential posts a credential. The reply's asset is returned with
// the rest.Response, whose MaybeApplied tells a lost earlier attempt.
func (c *Client) createCredential(ctx context.Context, key manifest.Key, body *createRequest) (liveAsset, error) {
	t, ok := credTypeOf(key.Type)
	if !ok {
		return liveAsset{}, &Error{Op: "create", Key: key, Err: fmt.Errorf("unknown credential type %q", key.Type)}
	}
	var out typedAsset
	_, err := c.api.Do(ctx, rest.Request{Method: http.MethodPost, Path: t.collection(), Body: body}, &out)
	if err != nil {
		return liveAsset{}, err // the caller decides about 409
	}
	return out.asset(), nil
}

// updateCredentialDescription sets the description, or with "" clears it
// (sending null).
func (c *Client) updateCredentialDescription(ctx context.Context, key manifest.Key, id, description string) error {
	t, ok := credTypeOf(key.Type)
	if !ok {
		return &Error{Op: "update", Key: key, Err: fmt.Errorf("unknown credential type %q", key.Type)}
	}
	var body updateRequest // a nil description is sent as null
	if description != "" {
		body.Meta.Description = &description
	}
	_, err := c.call(ctx, "update", key, rest.Request{Method: http.MethodPut, Path: t.item(id), Body: body}, nil)
	return err
}

// deleteCredential deletes a credential; one that is gone already counts
// as deleted.
func (c *Client) deleteCredential(ctx context.Context, key manifest.Key, id string) error {
	t, ok := credTypeOf(key.Type)
	if !ok {
		return &Error{Op: "delete", Key: key, Err: fmt.Errorf("unknown credential type %q", key.Type)}
	}
	return c.deleteItem(ctx, key, t.item(id))
}

// formatProjectID renders meta.projectId as the key's scope id.
func formatProjectID(id int64) string { return strconv.FormatInt(id, 10) }

// Format keeps secret values out of fmt output, should a create body ever
// be printed.
func (createSpec) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "{"+manifest.Redacted+"}") }
