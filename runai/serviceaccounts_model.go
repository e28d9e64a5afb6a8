package runai

import (
	"context"
	"strconv"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// serviceAccountInPlace lists what changes without a replace: enabled
// (PATCH) and the rotation marker (a regeneration of the secret).
var serviceAccountInPlace = []string{attrEnabled, attrRotation}

// desiredServiceAccount builds the desired object of a manifest service
// account: spec.enabled always ("true" by default), spec.rotation quoted
// when set.
func desiredServiceAccount(sa *manifest.ServiceAccount) *diff.Object {
	attrs := map[string]string{attrEnabled: strconv.FormatBool(sa.Spec.IsEnabled())}
	if sa.Spec.Rotation != "" {
		attrs[attrRotation] = strconv.Quote(sa.Spec.Rotation)
	}
	return &diff.Object{
		Key:         sa.Key(),
		Provider:    ProviderName,
		Attrs:       attrs,
		InPlace:     serviceAccountInPlace,
		Regenerates: regenerates,
		Protected:   sa.Protected(),
		Doc:         sa.Document(),
		Resource:    sa,
	}
}

// liveServiceAccount builds the live object of a service account. It has
// no spec.rotation: the API knows no marker; the state remembers the last
// one applied and puts it there, quoted as Desired does. Its client id is an output dependents
// can read at any time; its secret is not.
func liveServiceAccount(s serviceAccount) *diff.Object {
	o := &diff.Object{
		Key:         manifest.Key{Kind: manifest.KindServiceAccount, Name: s.Name},
		Provider:    ProviderName,
		ID:          s.ID,
		Attrs:       map[string]string{attrEnabled: strconv.FormatBool(s.Enabled)},
		InPlace:     serviceAccountInPlace,
		Regenerates: regenerates,
		Native:      s,
	}
	if s.ClientID != "" {
		o.Outputs = map[string]manifest.Secret{manifest.FieldClientID: manifest.NewSecret(s.ClientID)}
	}
	return o
}

// snapshotServiceAccounts reads every service account of the tenant with
// one list call.
func (p *Provider) snapshotServiceAccounts(ctx context.Context) ([]*diff.Object, error) {
	l, err := p.c.listServiceAccounts(ctx)
	if err != nil {
		return nil, err
	}
	objs := make([]*diff.Object, 0, len(l))
	for _, s := range l {
		if s.Name != "" {
			objs = append(objs, liveServiceAccount(s))
		}
	}
	return objs, nil
}
