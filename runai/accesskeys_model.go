package runai

import (
	"context"
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// accessKeyInPlace lists what changes without a replace: the rotation
// marker (a regeneration of the secret).
var accessKeyInPlace = []string{attrRotation}

// desiredAccessKey builds the desired object of a manifest access key (one
// of the caller's): spec.rotation quoted when set, nothing else.
func desiredAccessKey(a *manifest.AccessKey) *diff.Object {
	return desiredIdentity(a, map[string]string{}, a.Spec.Rotation, a.Spec.SecretFile, accessKeyInPlace)
}

// liveAccessKey builds the live object of one of the caller's keys: no
// attributes (the state's records give spec.rotation), its client id as an
// output.
func liveAccessKey(k accessKey) *diff.Object {
	return liveIdentity(manifest.KindAccessKey, k.identity, nil, accessKeyInPlace)
}

// liveForeignAccessKey builds the live object of another user's key, from
// the administration listing: scope "user" with its createdBy as scope id,
// so it never matches a manifest's key (the caller's), and an ownership
// selector's names decide whether drift reports it and --prune deletes
// it. Status tells when it last logged in, for messages; nothing about it
// is compared.
func liveForeignAccessKey(k accessKey) *diff.Object {
	status := "never logged in"
	if k.LastLogin != nil && *k.LastLogin != "" {
		status = "last login " + readableTime(*k.LastLogin)
	}
	o := &diff.Object{
		Key:      manifest.Key{Kind: manifest.KindAccessKey, Scope: ScopeUser, ScopeID: k.CreatedBy, Name: k.Name},
		Provider: ProviderName,
		ID:       k.ID,
		Status:   status,
	}
	o.CreatedAt, o.LastLogin = k.times()
	return o
}

// snapshotAccessKeys reads the caller's keys and, with ForeignAccessKeys,
// every user's through the administration listing: the keys that are not
// the caller's (by id) are foreign. The administration listing is read
// first: a key the caller makes between the two reads is then in the
// caller's list or in neither, never taken for another user's.
func (p *Provider) snapshotAccessKeys(ctx context.Context) ([]*diff.Object, error) {
	var all []accessKey
	if p.scope.ForeignAccessKeys {
		var err error
		if all, err = p.c.listAllAccessKeys(ctx); err != nil {
			return nil, err
		}
	}
	own, err := p.c.listAccessKeys(ctx)
	if err != nil {
		return nil, err
	}
	var objs []*diff.Object
	mine := make(map[string]bool, len(own))
	for _, k := range own {
		mine[k.ID] = true
		if p.scope.AccessKeys && k.Name != "" {
			objs = append(objs, liveAccessKey(k))
		}
	}
	for _, k := range all {
		if !mine[k.ID] && k.Name != "" {
			objs = append(objs, liveForeignAccessKey(k))
		}
	}
	return objs, nil
}

// times parses createdAt and lastLogin; a missing, null or unreadable one
// is nil.
func (i identity) times() (createdAt, lastLogin *time.Time) {
	parse := func(s *string) *time.Time {
		if s == nil {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, *s)
		if err != nil {
			return nil
		}
		t = t.UTC()
		return &t
	}
	return parse(i.CreatedAt), parse(i.LastLogin)
}

// readableTime renders an API timestamp in RFC 3339 UTC to the second;
// one it cannot parse is shown as it came.
func readableTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func init() {
	mine := fromEach(func(a *manifest.AccessKey) []*diff.Object { return []*diff.Object{desiredAccessKey(a)} })
	register(manifest.KindAccessKey, kind{
		inScope: func(s Scope) bool { return s.AccessKeys || s.ForeignAccessKeys },
		desired: func(p *Provider, set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics) {
			if !p.scope.AccessKeys {
				return nil, nil // the other users' keys alone: nothing desired
			}
			return mine(p, set, r)
		},
		snapshot: (*Provider).snapshotAccessKeys,
		do:       (*Provider).doAccessKey,
	})
}
