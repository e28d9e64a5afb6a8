package runai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// This file holds what service accounts and access keys share: both are
// identities with a client id and a one-time client secret, shown by the
// create and by each regeneration and never again.

// ScopeUser is the Key.Scope of another user's access key, seen through the
// administration listing; its ScopeID is the key's createdBy.
const ScopeUser = "user"

// Attribute paths of service accounts and access keys.
const (
	attrEnabled  = "spec.enabled"
	attrRotation = "spec.rotation"
)

// settingSecretFile is the Settings path of spec.secretFile: where the
// one-time secret is also written. It is not compared.
const settingSecretFile = "spec.secretFile"

// regenerates lists the paths whose change regenerates an identity's
// secret.
var regenerates = []string{attrRotation}

// issued is a one-time client secret that a create or a regeneration just
// produced, with what its deliveries need.
type issued struct {
	key       manifest.Key
	id        string
	clientID  string
	secret    manifest.Secret
	createdAt string // RFC 3339
}

// Format keeps the secret out of fmt output.
func (s issued) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "{%s %s %s}", s.key, s.clientID, manifest.Redacted)
}

// result hands the client id and secret to the steps that take them
// (fromServiceAccount, fromAccessKey).
func (s issued) result() apply.Result {
	return apply.Result{ID: s.id, Outputs: map[string]manifest.Secret{
		manifest.FieldClientID:     manifest.NewPublicValue(s.clientID),
		manifest.FieldClientSecret: s.secret,
	}}
}

// deliverFile writes the secret to spec.secretFile, when one is set, before
// the step returns: a failure is the step's error, so the step does not
// count as done and the secret is regenerated on the next apply.
func (p *Provider) deliverFile(s issued, file string) error {
	if file == "" {
		return nil
	}
	written, err := writeSecretFile(file, secretFile{
		Name: s.key.Name, ClientID: s.clientID, ClientSecret: s.secret.Reveal(), CreatedAt: s.createdAt,
	})
	if err != nil {
		return &Error{Op: "write secret file", Key: s.key, Err: err,
			Hint: "the new client secret was not saved; fix the path, then apply again: the next apply regenerates the secret and writes it"}
	}
	if written {
		p.c.log("%s: wrote the client secret to %s", subject(s.key), file)
	} else {
		p.c.log("%s: %s holds this client secret already", subject(s.key), file)
	}
	return nil
}

// timestamp is now as the secret file's createdAt.
func (c *Client) timestamp() string { return c.now().UTC().Format(time.RFC3339) }

// createIdentity posts {name} to collection and checks that the reply
// holds an id and a secret. Errors are returned as they are: the caller
// decides about 409.
func (c *Client) createIdentity(ctx context.Context, collection, name string) (createdIdentity, error) {
	var out createdIdentity
	_, err := c.api.Do(ctx, rest.Request{Method: http.MethodPost, Path: collection, Body: nameRequest{Name: name}}, &out)
	if err != nil {
		return createdIdentity{}, err
	}
	if out.ID == "" || out.ClientSecret == "" {
		return createdIdentity{}, fmt.Errorf("POST %s: the reply holds no id or no client secret", collection)
	}
	return out, nil
}

// regenerateSecret posts to item/secret and returns the new secret, which
// replaces the old one at once. A retried regeneration is harmless: the
// secret of the last one is returned, and that is the valid one.
func (c *Client) regenerateSecret(ctx context.Context, key manifest.Key, item string) (manifest.Secret, error) {
	var out regeneratedSecret
	if _, err := c.call(ctx, "regenerate secret", key, rest.Request{Method: http.MethodPost, Path: item + "/secret"}, &out); err != nil {
		return manifest.Secret{}, err
	}
	if out.ClientSecret == "" {
		return manifest.Secret{}, &Error{Op: "regenerate secret", Key: key, Err: errors.New("the reply holds no client secret")}
	}
	return manifest.NewSecret(out.ClientSecret), nil
}

// deleteItem deletes the object at item (an identity or a credential); one
// that is gone already counts as deleted.
func (c *Client) deleteItem(ctx context.Context, key manifest.Key, item string) error {
	_, err := c.api.Do(ctx, rest.Request{Method: http.MethodDelete, Path: item}, nil)
	if rest.IsStatus(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return c.wrap("delete", key, err)
	}
	return nil
}

// ident returns the fields an identity shows; serviceAccount and
// accessKey have it by embedding.
func (i identity) ident() identity { return i }

// named returns the entry of l called name, for a read back by name (names
// are unique among the service accounts of a tenant and among the access
// keys of a user). Found is false when there is none; err, the error of
// the listing, is passed through.
func named[T interface{ ident() identity }](l []T, name string, err error) (entry T, found bool, _ error) {
	if err != nil {
		return entry, false, err
	}
	for _, e := range l {
		if e.ident().Name == name {
			return e, true, nil
		}
	}
	return entry, false, nil
}

// desiredIdentity builds the desired object of a manifest identity r:
// attrs and spec.rotation, quoted, when set; spec.secretFile as a setting,
// when set.
func desiredIdentity(r manifest.Resource, attrs map[string]string, rotation, secretFile string, inPlace []string) *diff.Object {
	if rotation != "" {
		attrs[attrRotation] = strconv.Quote(rotation)
	}
	if len(attrs) == 0 {
		attrs = nil
	}
	o := &diff.Object{
		Key:         r.Key(),
		Provider:    ProviderName,
		Attrs:       attrs,
		InPlace:     inPlace,
		Regenerates: regenerates,
		Protected:   r.Protected(),
	}
	if secretFile != "" {
		o.Settings = map[string]string{settingSecretFile: secretFile}
	}
	return o
}

// liveIdentity builds the live object of an identity of kind. It has no
// spec.rotation: the API knows no marker; the state remembers the last one
// applied and the plan compares it (diff.Record.Attrs), quoted as
// desiredIdentity does. Its client id is an output dependents can read at
// any time; its secret is not.
func liveIdentity(kind manifest.Kind, i identity, attrs map[string]string, inPlace []string) *diff.Object {
	o := &diff.Object{
		Key:         manifest.Key{Kind: kind, Name: i.Name},
		Provider:    ProviderName,
		ID:          i.ID,
		Attrs:       attrs,
		InPlace:     inPlace,
		Regenerates: regenerates,
	}
	o.CreatedAt, o.LastLogin = i.times()
	if i.ClientID != "" {
		o.Outputs = map[string]manifest.Secret{manifest.FieldClientID: manifest.NewPublicValue(i.ClientID)}
	}
	return o
}
