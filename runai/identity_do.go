package runai

import (
	"context"
	"errors"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// identityAPI is where the steps on one kind of identity go.
type identityAPI struct {
	// collection is the path creates are posted to.
	collection string
	// item is the path of one identity, by id.
	item func(id string) string
	// find reads an identity back by name.
	find func(ctx context.Context, key manifest.Key) (identity, bool, error)
}

// issueIdentity creates the identity of key and returns its one-time
// secret, not yet delivered.
//
// A create whose reply was lost and whose retry met 409 made the identity,
// but the secret went with the reply: the identity is read back by name
// and its secret regenerated at once, so there is never a duplicate and
// never a secret nobody holds. A 409 on a first attempt is someone else's
// identity: an error.
func (p *Provider) issueIdentity(ctx context.Context, api identityAPI, key manifest.Key) (issued, error) {
	created, err := p.c.createIdentity(ctx, api.collection, key.Name)
	if err == nil {
		s := issued{key: key, id: created.ID, clientID: created.ClientID, secret: manifest.NewSecret(created.ClientSecret), createdAt: p.c.timestamp()}
		if created.CreatedAt != nil && *created.CreatedAt != "" {
			s.createdAt = readableTime(*created.CreatedAt)
		}
		if s.clientID == "" { // optional in the create's reply: read it back
			found, ok, err := api.find(ctx, key)
			if err != nil {
				return issued{}, err
			}
			if !ok || found.ID != s.id {
				return issued{}, &Error{Op: "create", Key: key, Err: errors.New("the reply held no client id, and the identity cannot be read back")}
			}
			s.clientID = found.ClientID
		}
		return s, nil
	}
	if !rest.Conflict(err) {
		return issued{}, p.c.wrap("create", key, err)
	}
	var found identity
	id, err := rest.AdoptLostCreate(ctx, key, nil, err, "the API", func(ctx context.Context) (string, map[string]string, bool, error) {
		var ok bool
		var err error
		found, ok, err = api.find(ctx, key)
		return found.ID, nil, ok, err
	})
	if err != nil {
		return issued{}, err
	}
	p.c.log("%s: the reply to the create was lost, with the only copy of its secret; regenerating the secret", subject(key))
	secret, err := p.c.regenerateSecret(ctx, key, api.item(id))
	if err != nil {
		return issued{}, err
	}
	return issued{key: key, id: id, clientID: found.ClientID, secret: secret, createdAt: p.c.timestamp()}, nil
}

// rotate regenerates the secret of the live identity of ch when the change
// says so (the rotation marker changed, or a dependent needs the secret
// again) and delivers it like a create. The client id stays.
func (p *Provider) rotate(ctx context.Context, api identityAPI, ch *diff.Change, live *diff.Object, secretFile string) (apply.Result, error) {
	if !ch.Regenerate {
		return apply.Result{ID: live.ID}, nil
	}
	secret, err := p.c.regenerateSecret(ctx, ch.Key, api.item(live.ID))
	if err != nil {
		return apply.Result{}, err
	}
	s := issued{key: ch.Key, id: live.ID, clientID: live.Outputs[manifest.FieldClientID].Reveal(), secret: secret, createdAt: p.c.timestamp()}
	if err := p.deliverFile(s, secretFile); err != nil {
		return apply.Result{}, err
	}
	return s.result(), nil
}
