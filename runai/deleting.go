package runai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Deletion of a credential is asynchronous on Run:ai: DELETE answers 202
// while the asset can stay listed for a while with status "Deleting" and
// meta.deletedAt set, its name still taken. A replace therefore waits until
// the old asset is gone before it creates the new one, and a create that
// meets 409 because its name is being deleted waits and tries again; both
// waits are bounded by Provider.DeleteTimeout (--delete-timeout).

// DefaultDeleteTimeout bounds a wait for a credential being deleted.
const DefaultDeleteTimeout = 2 * time.Minute

// Polls of a wait for a deletion start at deletePollMin and double up to
// deletePollMax.
const (
	deletePollMin = 50 * time.Millisecond
	deletePollMax = 500 * time.Millisecond
)

// statusDeleting is the sync status of an asset being deleted.
const statusDeleting = "Deleting"

// beingDeleted reports whether a live asset is being deleted: status
// "Deleting", or meta.deletedAt set while the status is not "Deletion
// failed". Such an asset is never live for a plan. One whose deletion
// failed stays live: it is there, and unhealthy.
func (a liveAsset) beingDeleted() bool {
	if a.deletionFailed() {
		return false
	}
	return (a.Meta.DeletedAt != nil && *a.Meta.DeletedAt != "") || (a.Status != nil && a.Status.Status == statusDeleting)
}

// deletionFailed reports the status "Deletion failed".
func (a liveAsset) deletionFailed() bool {
	return a.Status != nil && a.Status.Status == statusDeleteFailed
}

// deleteTimeout is DeleteTimeout or its default.
func (p *Provider) deleteTimeout() time.Duration {
	if p.DeleteTimeout > 0 {
		return p.DeleteTimeout
	}
	return DefaultDeleteTimeout
}

// sleepFor waits d or until ctx ends.
func (p *Provider) sleepFor(ctx context.Context, d time.Duration) error {
	if p.sleep != nil {
		return p.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// goneCheck reports whether what a wait waits for is gone; status is the
// last status seen, for the timeout's error.
type goneCheck func(ctx context.Context) (gone bool, status string, err error)

// awaitGone polls check until it reports gone, for at most
// deleteTimeout. A status of "Deletion failed" ends the wait with an error.
func (p *Provider) awaitGone(ctx context.Context, key manifest.Key, check goneCheck) error {
	timeout := p.deleteTimeout()
	deadline := p.c.now().Add(timeout)
	poll := deletePollMin
	for {
		gone, status, err := check(ctx)
		switch {
		case err != nil:
			return err
		case gone:
			return nil
		case status == statusDeleteFailed:
			return &Error{Op: "delete", Key: key, Err: errors.New("the API reports: Deletion failed"),
				Hint: "the old credential could not be removed from its clusters: check them, then apply again"}
		}
		left := deadline.Sub(p.c.now())
		if left <= 0 {
			return &Error{Op: "delete", Key: key, Err: fmt.Errorf("still being deleted after %v (status %q)", timeout, status),
				Hint: "raise --delete-timeout, or apply again later: the next run creates it once the old one is gone"}
		}
		if err := p.sleepFor(ctx, min(poll, left)); err != nil {
			return err
		}
		poll = min(2*poll, deletePollMax)
	}
}

// deletedByID is the check of a replace's delete: the asset of id is gone
// when reading it answers 404.
func (p *Provider) deletedByID(key manifest.Key, id string) goneCheck {
	return func(ctx context.Context) (bool, string, error) {
		t, ok := credTypeOf(key.Type)
		if !ok {
			return false, "", &Error{Op: "delete", Key: key, Err: fmt.Errorf("unknown credential type %q", key.Type)}
		}
		var out typedAsset
		_, err := p.c.api.Do(ctx, rest.Request{Method: http.MethodGet, Path: t.item(id), Query: url.Values{"statusInfo": {"true"}}}, &out)
		if rest.IsStatus(err, http.StatusNotFound) {
			return true, "", nil
		}
		if err != nil {
			return false, "", p.c.wrap("read back", key, err)
		}
		a := out.asset()
		st := statusDeleting
		if a.Status != nil && a.Status.Status != "" {
			st = a.Status.Status
		}
		return false, st, nil
	}
}

// nameFreed is the check of a create that met 409: the name is free when
// no asset being deleted holds it any more.
func (p *Provider) nameFreed(key manifest.Key) goneCheck {
	return func(ctx context.Context) (bool, string, error) {
		a, found, err := p.c.findCredential(ctx, key)
		if err != nil || !found || !(a.beingDeleted() || a.deletionFailed()) {
			return err == nil, "", err
		}
		st := statusDeleting
		if a.Status != nil && a.Status.Status != "" {
			st = a.Status.Status
		}
		return false, st, nil
	}
}
