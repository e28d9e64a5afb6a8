package runai

import (
	"context"
	"errors"
	"fmt"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// doAccessKey carries out one step on an access key: the caller's own, or
// (delete only) another user's.
func (p *Provider) doAccessKey(ctx context.Context, step diff.Step) (apply.Result, error) {
	ch := step.Change
	switch {
	case step.Phase == diff.PhaseDelete:
		return apply.Result{}, p.deleteAccessKey(ctx, ch)
	case ch.Key.Scope != "":
		return apply.Result{}, &Error{Op: ch.Action.String(), Key: ch.Key,
			Err: errors.New("another user's access key can only be deleted: runai-sync creates and rotates the caller's own keys")}
	case ch.Action == diff.Create || ch.Action == diff.Replace:
		return p.createAccessKey(ctx, ch)
	case ch.Action == diff.Update:
		return p.updateAccessKey(ctx, ch)
	}
	return apply.Result{}, &Error{Op: ch.Action.String(), Key: ch.Key, Err: fmt.Errorf("nothing to do in phase %d", step.Phase)}
}

// desiredAccessKeyOf is the manifest of ch's desired object.
func desiredAccessKeyOf(ch *diff.Change, op string) (*manifest.AccessKey, error) {
	if ch.Desired == nil {
		return nil, &Error{Op: op, Key: ch.Key, Err: errors.New("the plan holds no desired object")}
	}
	a, ok := ch.Desired.Resource.(*manifest.AccessKey)
	if !ok {
		return nil, &Error{Op: op, Key: ch.Key, Err: fmt.Errorf("the desired object holds a %T, not an access key", ch.Desired.Resource)}
	}
	return a, nil
}

// createAccessKey creates one of the caller's keys, delivers its one-time
// secret to spec.secretFile and returns the client id and secret for the
// dependents. A lost reply is handled as for service accounts: the key is
// read back by name and its secret regenerated at once.
func (p *Provider) createAccessKey(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	a, err := desiredAccessKeyOf(ch, "create")
	if err != nil {
		return apply.Result{}, err
	}
	key := ch.Desired.Key
	var s issued
	created, err := p.c.createIdentity(ctx, accessKeysPath, a.Metadata.Name)
	if err == nil {
		s = issued{key: key, id: created.ID, clientID: created.ClientID, secret: manifest.NewSecret(created.ClientSecret), createdAt: p.c.timestamp()}
		if created.CreatedAt != nil && *created.CreatedAt != "" {
			s.createdAt = readableTime(*created.CreatedAt)
		}
	} else {
		adopt, cerr := p.c.createConflict(key, err)
		if !adopt {
			return apply.Result{}, cerr
		}
		found, ok, ferr := p.c.findAccessKey(ctx, key)
		switch {
		case ferr != nil:
			return apply.Result{}, ferr
		case !ok:
			return apply.Result{}, &Error{Op: "create", Key: key, Err: err,
				Hint: "the reply to the create was lost and the API then reported a clash, but none of your access keys has that name: run plan again"}
		}
		p.c.log("%s: the reply to the create was lost, with the only copy of its secret; regenerating the secret", subject(key))
		secret, rerr := p.c.regenerateSecret(ctx, key, accessKeyPath(found.ID))
		if rerr != nil {
			return apply.Result{}, rerr
		}
		s = issued{key: key, id: found.ID, clientID: found.ClientID, secret: secret, createdAt: p.c.timestamp()}
	}
	if err := p.deliverFile(s, a.Spec.SecretFile); err != nil {
		return apply.Result{}, err
	}
	return s.result(), nil
}

// updateAccessKey regenerates the key's secret when the change says so
// (the only in-place change there is) and delivers it like a create.
func (p *Provider) updateAccessKey(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	a, err := desiredAccessKeyOf(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	live := ch.Live
	if live == nil || live.ID == "" {
		return apply.Result{}, &Error{Op: "update", Key: ch.Key, Err: errors.New("the plan holds no live object to update")}
	}
	if !ch.Regenerate {
		return apply.Result{ID: live.ID}, nil
	}
	secret, err := p.c.regenerateSecret(ctx, ch.Key, accessKeyPath(live.ID))
	if err != nil {
		return apply.Result{}, err
	}
	s := issued{key: ch.Key, id: live.ID, clientID: liveClientID(live), secret: secret, createdAt: p.c.timestamp()}
	if err := p.deliverFile(s, a.Spec.SecretFile); err != nil {
		return apply.Result{}, err
	}
	return s.result(), nil
}

// deleteAccessKey deletes the live object of ch: the caller's key through
// DELETE /api/v1/access-keys/{id}, another user's through the
// administration API. One already gone is deleted.
func (p *Provider) deleteAccessKey(ctx context.Context, ch *diff.Change) error {
	live := ch.Live
	if live == nil || live.ID == "" {
		return &Error{Op: "delete", Key: ch.Key, Err: errors.New("the plan holds no live object to delete")}
	}
	item := accessKeyPath(live.ID)
	if live.Key.Scope == ScopeUser {
		item = adminAccessKeyPath(live.ID)
	}
	return p.c.deleteItem(ctx, live.Key, item)
}
