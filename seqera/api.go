package seqera

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// workspaceQuery is the query naming workspace ws; nil for the personal
// workspace, which takes no workspaceId parameter.
func workspaceQuery(ws string) url.Values {
	if ws == "" {
		return nil
	}
	return url.Values{"workspaceId": {ws}}
}

// workspaceKey names a whole workspace in errors.
func workspaceKey(ws string) manifest.Key {
	return manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: manifest.ScopeWorkspace, ScopeID: ws}
}

// checkWorkspace refuses a workspace id that is not a positive decimal
// number before anything is sent.
func checkWorkspace(ws string) error {
	if ws == "" {
		return nil
	}
	if n, err := strconv.ParseInt(ws, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != ws {
		return &Error{Op: "list credentials", Key: workspaceKey(ws),
			Err: errors.New("the workspace id is not a positive decimal number: check metadata.workspaceId or TOWER_WORKSPACE_ID")}
	}
	return nil
}

// list reads every credential of workspace ws, deleted ones included.
func (c *Client) list(ctx context.Context, op string, ws string) ([]liveCredential, error) {
	if err := checkWorkspace(ws); err != nil {
		return nil, err
	}
	var l listReply
	req := rest.Request{Method: http.MethodGet, Path: credentialsPath, Query: workspaceQuery(ws)}
	if _, err := c.call(ctx, op, workspaceKey(ws), req, &l); err != nil {
		return nil, err
	}
	return l.Credentials, nil
}

// find reads back the credential of key by name; found is false when its
// workspace has none of that name.
func (c *Client) find(ctx context.Context, key manifest.Key) (cr liveCredential, found bool, err error) {
	all, err := c.list(ctx, "read back", key.ScopeID)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Key = key
		}
		return cr, false, err
	}
	for _, cr := range all {
		if cr.Name == key.Name && !isDeleted(cr) {
			return cr, true, nil
		}
	}
	return cr, false, nil
}

// create posts a credential and returns its id. A failure is the
// *rest.Error as it is: the caller decides about 409.
func (c *Client) create(ctx context.Context, key manifest.Key, body *writeBody) (string, error) {
	var out createReply
	req := rest.Request{Method: http.MethodPost, Path: credentialsPath, Query: workspaceQuery(key.ScopeID), Body: body}
	if _, err := c.api.Do(ctx, req, &out); err != nil {
		return "", err
	}
	if out.id() == "" {
		return "", &Error{Op: "create", Key: key, Err: errors.New("the reply holds no credential id (neither credentialsId nor credentials.id)"),
			Hint: "is TOWER_API_ENDPOINT the API's URL (for example " + endpointExample + ")?"}
	}
	return out.id(), nil
}

// update replaces the whole credential id with body.
func (c *Client) update(ctx context.Context, key manifest.Key, id string, body *writeBody) error {
	req := rest.Request{Method: http.MethodPut, Path: itemPath(id), Query: workspaceQuery(key.ScopeID), Body: body}
	_, err := c.call(ctx, "update", key, req, nil)
	return err
}

// remove deletes credential id. With checked, Seqera refuses (409) while
// running jobs use it: that is an *InUseError naming them. One already gone
// (404) counts as deleted.
func (c *Client) remove(ctx context.Context, key manifest.Key, id string, checked bool) error {
	q := workspaceQuery(key.ScopeID)
	if q == nil {
		q = url.Values{}
	}
	q.Set("checked", strconv.FormatBool(checked))
	var conflict conflictReply
	_, err := c.api.Do(ctx, rest.Request{Method: http.MethodDelete, Path: itemPath(id), Query: q, ErrorOut: &conflict}, nil)
	switch {
	case err == nil, rest.IsStatus(err, http.StatusNotFound):
		return nil
	case rest.IsStatus(err, http.StatusConflict) && len(conflict.Conflicts) > 0:
		return &Error{Op: "delete", Key: key, Err: &InUseError{Conflicts: conflict.Conflicts, Err: err}}
	}
	return wrap("delete", key, err)
}

// isDeleted reports a credential Seqera marks deleted but still lists.
func isDeleted(cr liveCredential) bool { return cr.Deleted != nil && *cr.Deleted }
