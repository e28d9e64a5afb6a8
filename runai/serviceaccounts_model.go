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
	return desiredIdentity(sa, attrs, sa.Spec.Rotation, sa.Spec.SecretFile, serviceAccountInPlace)
}

// liveServiceAccount builds the live object of a service account: its
// enabled flag, and its client id as an output.
func liveServiceAccount(s serviceAccount) *diff.Object {
	attrs := map[string]string{attrEnabled: strconv.FormatBool(s.Enabled)}
	return liveIdentity(manifest.KindServiceAccount, s.identity, attrs, serviceAccountInPlace)
}

// snapshotServiceAccounts reads every service account of the tenant with
// one list call.
func (p *Provider) snapshotServiceAccounts(ctx context.Context) ([]*diff.Object, error) {
	l, err := p.accounts(ctx)
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

func init() {
	register(manifest.KindServiceAccount, kind{
		inScope: func(s Scope) bool { return s.ServiceAccounts },
		desired: fromEach(func(sa *manifest.ServiceAccount) []*diff.Object {
			return []*diff.Object{desiredServiceAccount(sa)}
		}),
		snapshot: (*Provider).snapshotServiceAccounts,
		do:       (*Provider).doServiceAccount,
	})
}
