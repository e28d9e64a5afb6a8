package runai

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// family reads the live objects of one resource family.
type family func(ctx context.Context) ([]*diff.Object, error)

// Snapshot reads the live objects of every family in the provider's scope,
// the families at once, with one list call each (plus the login, shared):
//
//   - credentials: GET /api/v1/asset/credentials with usage and status;
//     assets of scope system are left out;
//   - service accounts: GET /api/v1/service-accounts;
//   - access keys: GET /api/v1/access-keys, and with ForeignAccessKeys GET
//     /api/v1/administration/access-keys.
//
// The service accounts are listed once, for the accounts and for their
// rules' subjects (accounts). The objects come in family order (the
// registry's order of kinds). The first error ends the other reads and is
// returned.
func (p *Provider) Snapshot(ctx context.Context) ([]*diff.Object, error) {
	var families []family
	for _, k := range kindsInScope(p.scope) {
		families = append(families, func(ctx context.Context) ([]*diff.Object, error) { return k.snapshot(p, ctx) })
	}
	g, ctx := errgroup.WithContext(ctx)
	readCtx := ctx
	ctx = context.WithValue(ctx, accountsKey{}, sync.OnceValues(func() ([]serviceAccount, error) {
		return p.c.listServiceAccounts(readCtx, "list service accounts", manifest.Key{})
	}))
	results := make([][]*diff.Object, len(families))
	for i, read := range families {
		g.Go(func() (err error) {
			results[i], err = read(ctx)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var objs []*diff.Object
	for _, r := range results {
		objs = append(objs, r...)
	}
	return objs, nil
}

// snapshotCredentials reads every credential of the tenant with one
// combined list call, with usage and status.
func (p *Provider) snapshotCredentials(ctx context.Context) ([]*diff.Object, error) {
	assets, err := p.c.listAllCredentials(ctx)
	if err != nil {
		return nil, err
	}
	objs := make([]*diff.Object, 0, len(assets))
	for _, a := range assets {
		if o, ok := liveCredential(a); ok {
			objs = append(objs, o)
		}
	}
	return objs, nil
}

// accountsKey holds, in a Snapshot's context, the one listing of the
// service accounts that the families reading them share.
type accountsKey struct{}

// accounts lists the tenant's service accounts: once per Snapshot, shared
// by the families that read them; outside one, with a call of its own.
func (p *Provider) accounts(ctx context.Context) ([]serviceAccount, error) {
	if list, ok := ctx.Value(accountsKey{}).(func() ([]serviceAccount, error)); ok {
		return list()
	}
	return p.c.listServiceAccounts(ctx, "list service accounts", manifest.Key{})
}
