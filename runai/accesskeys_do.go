package runai

import (
	"context"
	"errors"
	"fmt"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// accessKeys is where the steps on the caller's access keys go.
func (p *Provider) accessKeys() identityAPI {
	return identityAPI{collection: accessKeysPath, item: accessKeyPath,
		find: func(ctx context.Context, key manifest.Key) (identity, bool, error) {
			k, ok, err := p.c.findAccessKey(ctx, key)
			return k.identity, ok, err
		}}
}

// doAccessKey carries out one step on an access key: the caller's own, or
// (delete only) another user's.
func (p *Provider) doAccessKey(ctx context.Context, step diff.Step, _ apply.Inputs) (apply.Result, error) {
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

// createAccessKey creates one of the caller's keys, delivers its one-time
// secret to spec.secretFile and returns the client id and secret for the
// dependents.
func (p *Provider) createAccessKey(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	d, err := apply.Desired(ch, "create")
	if err != nil {
		return apply.Result{}, err
	}
	s, err := p.issueIdentity(ctx, p.accessKeys(), d.Key)
	if err != nil {
		return apply.Result{}, err
	}
	if err := p.deliverFile(s, d.Settings[settingSecretFile]); err != nil {
		return apply.Result{}, err
	}
	return s.result(), nil
}

// updateAccessKey regenerates the key's secret when the change says so
// (the only in-place change there is).
func (p *Provider) updateAccessKey(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	d, err := apply.Desired(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	live, err := apply.Live(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	return p.rotate(ctx, p.accessKeys(), ch, live, d.Settings[settingSecretFile])
}

// deleteAccessKey deletes the live object of ch: the caller's key through
// DELETE /api/v1/access-keys/{id}, another user's through the
// administration API. One already gone is deleted.
func (p *Provider) deleteAccessKey(ctx context.Context, ch *diff.Change) error {
	live, err := apply.Live(ch, "delete")
	if err != nil {
		return err
	}
	item := accessKeyPath(live.ID)
	if live.Key.Scope == ScopeUser {
		item = adminAccessKeyPath(live.ID)
	}
	return p.c.deleteItem(ctx, live.Key, item)
}
