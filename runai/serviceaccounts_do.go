package runai

import (
	"context"
	"errors"
	"fmt"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// doServiceAccount carries out one step on a service account.
func (p *Provider) doServiceAccount(ctx context.Context, step diff.Step) (apply.Result, error) {
	ch := step.Change
	switch {
	case step.Phase == diff.PhaseDelete:
		return apply.Result{}, p.deleteServiceAccount(ctx, ch)
	case ch.Action == diff.Create || ch.Action == diff.Replace:
		return p.createServiceAccount(ctx, ch)
	case ch.Action == diff.Update:
		return p.updateServiceAccount(ctx, ch)
	}
	return apply.Result{}, &Error{Op: ch.Action.String(), Key: ch.Key, Err: fmt.Errorf("nothing to do in phase %d", step.Phase)}
}

// desiredServiceAccountOf is the manifest of ch's desired object.
func desiredServiceAccountOf(ch *diff.Change, op string) (*manifest.ServiceAccount, error) {
	if ch.Desired == nil {
		return nil, &Error{Op: op, Key: ch.Key, Err: errors.New("the plan holds no desired object")}
	}
	sa, ok := ch.Desired.Resource.(*manifest.ServiceAccount)
	if !ok {
		return nil, &Error{Op: op, Key: ch.Key, Err: fmt.Errorf("the desired object holds a %T, not a service account", ch.Desired.Resource)}
	}
	return sa, nil
}

// createServiceAccount creates the account, delivers its one-time secret
// to spec.secretFile, disables it when the manifest says so, and returns
// the client id and secret for the dependents.
//
// A create whose reply was lost and whose retry met 409 made the account,
// but the secret went with the reply: the account is read back by name and
// its secret regenerated at once, so there is never a duplicate and never
// a secret nobody holds. A 409 on a first attempt is someone else's
// account: an error.
func (p *Provider) createServiceAccount(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	sa, err := desiredServiceAccountOf(ch, "create")
	if err != nil {
		return apply.Result{}, err
	}
	key := ch.Desired.Key
	enabled := true // as every new account is
	var s issued
	created, err := p.c.createIdentity(ctx, serviceAccountsPath, sa.Metadata.Name)
	switch {
	case err == nil:
		s = issued{key: key, id: created.ID, clientID: created.ClientID, secret: manifest.NewSecret(created.ClientSecret), createdAt: p.c.timestamp()}
		if s.clientID == "" { // optional in the create's reply: read it back
			found, ok, err := p.c.findServiceAccount(ctx, key)
			if err != nil {
				return apply.Result{}, err
			}
			if !ok || found.ID != s.id {
				return apply.Result{}, &Error{Op: "create", Key: key, Err: errors.New("the reply held no client id, and the account cannot be read back")}
			}
			s.clientID = found.ClientID
		}
	default:
		adopt, cerr := p.c.createConflict(key, err)
		if !adopt {
			return apply.Result{}, cerr
		}
		found, ok, ferr := p.c.findServiceAccount(ctx, key)
		switch {
		case ferr != nil:
			return apply.Result{}, ferr
		case !ok:
			return apply.Result{}, &Error{Op: "create", Key: key, Err: err,
				Hint: "the reply to the create was lost and the API then reported a clash, but no service account of that name can be read back: run plan again"}
		}
		p.c.log("%s: the reply to the create was lost, with the only copy of its secret; regenerating the secret", subject(key))
		secret, rerr := p.c.regenerateSecret(ctx, key, serviceAccountPath(found.ID))
		if rerr != nil {
			return apply.Result{}, rerr
		}
		s = issued{key: key, id: found.ID, clientID: found.ClientID, secret: secret, createdAt: p.c.timestamp()}
		enabled = found.Enabled
	}
	if err := p.deliverFile(s, sa.Spec.SecretFile); err != nil {
		return apply.Result{}, err
	}
	if want := sa.Spec.IsEnabled(); want != enabled {
		if err := p.c.setServiceAccountEnabled(ctx, key, s.id, want); err != nil {
			return apply.Result{}, err
		}
	}
	return s.result(), nil
}

// updateServiceAccount enables or disables the account when spec.enabled
// changed, and regenerates its secret when the change says so (the
// rotation marker changed, or a dependent needs the secret again), then
// delivers the new secret like a create. The client id stays.
func (p *Provider) updateServiceAccount(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	sa, err := desiredServiceAccountOf(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	live := ch.Live
	if live == nil || live.ID == "" {
		return apply.Result{}, &Error{Op: "update", Key: ch.Key, Err: errors.New("the plan holds no live object to update")}
	}
	if want := ch.Desired.Attrs[attrEnabled]; want != live.Attrs[attrEnabled] {
		if err := p.c.setServiceAccountEnabled(ctx, ch.Key, live.ID, sa.Spec.IsEnabled()); err != nil {
			return apply.Result{}, err
		}
	}
	if !ch.Regenerate {
		return apply.Result{ID: live.ID}, nil
	}
	secret, err := p.c.regenerateSecret(ctx, ch.Key, serviceAccountPath(live.ID))
	if err != nil {
		return apply.Result{}, err
	}
	s := issued{key: ch.Key, id: live.ID, clientID: liveClientID(live), secret: secret, createdAt: p.c.timestamp()}
	if err := p.deliverFile(s, sa.Spec.SecretFile); err != nil {
		return apply.Result{}, err
	}
	return s.result(), nil
}

// deleteServiceAccount deletes the live object of ch; one already gone is
// deleted.
func (p *Provider) deleteServiceAccount(ctx context.Context, ch *diff.Change) error {
	live := ch.Live
	if live == nil || live.ID == "" {
		return &Error{Op: "delete", Key: ch.Key, Err: errors.New("the plan holds no live object to delete")}
	}
	return p.c.deleteItem(ctx, live.Key, serviceAccountPath(live.ID))
}

// liveClientID is the client id a live identity shows.
func liveClientID(live *diff.Object) string {
	if v, ok := live.Outputs[manifest.FieldClientID]; ok && !v.IsZero() {
		return v.Reveal()
	}
	switch n := live.Native.(type) {
	case serviceAccount:
		return n.ClientID
	case accessKey:
		return n.ClientID
	}
	return ""
}
