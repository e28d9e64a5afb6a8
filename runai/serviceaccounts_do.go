package runai

import (
	"context"
	"fmt"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// serviceAccounts is where the steps on service accounts go; each read
// back by name reports the account's enabled flag to seen.
func (p *Provider) serviceAccounts(seen func(enabled bool)) identityAPI {
	return identityAPI{collection: serviceAccountsPath, item: serviceAccountPath,
		find: func(ctx context.Context, key manifest.Key) (identity, bool, error) {
			sa, ok, err := p.c.findServiceAccount(ctx, key)
			if ok && seen != nil {
				seen(sa.Enabled)
			}
			return sa.identity, ok, err
		}}
}

// doServiceAccount carries out one step on a service account.
func (p *Provider) doServiceAccount(ctx context.Context, step diff.Step, _ apply.Inputs) (apply.Result, error) {
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

// createServiceAccount creates the account, delivers its one-time secret
// to spec.secretFile, disables it when the manifest says so, and returns
// the client id and secret for the dependents.
func (p *Provider) createServiceAccount(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	d, err := apply.Desired(ch, "create")
	if err != nil {
		return apply.Result{}, err
	}
	enabled := true // as every new account is; one read back shows its own
	s, err := p.issueIdentity(ctx, p.serviceAccounts(func(e bool) { enabled = e }), d.Key)
	if err != nil {
		return apply.Result{}, err
	}
	if err := p.deliverFile(s, d.Settings[settingSecretFile]); err != nil {
		return apply.Result{}, err
	}
	if want := wantsEnabled(d); want != enabled {
		if err := p.c.setServiceAccountEnabled(ctx, d.Key, s.id, want); err != nil {
			return apply.Result{}, err
		}
	}
	return s.result(), nil
}

// updateServiceAccount enables or disables the account when spec.enabled
// changed, and regenerates its secret when the change says so.
func (p *Provider) updateServiceAccount(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	d, err := apply.Desired(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	live, err := apply.Live(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	if want := d.Attrs[attrEnabled]; want != live.Attrs[attrEnabled] {
		if err := p.c.setServiceAccountEnabled(ctx, ch.Key, live.ID, wantsEnabled(d)); err != nil {
			return apply.Result{}, err
		}
	}
	return p.rotate(ctx, p.serviceAccounts(nil), ch, live, d.Settings[settingSecretFile])
}

// wantsEnabled reads spec.enabled of a desired service account from its
// Attrs, where desiredServiceAccount always puts it; absent, it is the
// default, true.
func wantsEnabled(d *diff.Object) bool { return d.Attrs[attrEnabled] != "false" }

// deleteServiceAccount deletes the live object of ch; one already gone is
// deleted.
func (p *Provider) deleteServiceAccount(ctx context.Context, ch *diff.Change) error {
	live, err := apply.Live(ch, "delete")
	if err != nil {
		return err
	}
	return p.c.deleteItem(ctx, live.Key, serviceAccountPath(live.ID))
}
