package runai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// doCredential carries out one step on a credential.
func (p *Provider) doCredential(ctx context.Context, step diff.Step, in apply.Inputs) (apply.Result, error) {
	ch := step.Change
	switch {
	case step.Phase == diff.PhaseDelete:
		return apply.Result{}, p.deleteCredential(ctx, ch)
	case ch.Action == diff.Create || ch.Action == diff.Replace:
		return p.createCredential(ctx, ch, in)
	case ch.Action == diff.Update:
		return p.updateCredential(ctx, ch)
	}
	return apply.Result{}, &Error{Op: ch.Action.String(), Key: ch.Key, Err: fmt.Errorf("nothing to do in phase %d", step.Phase)}
}

// deleteCredential deletes the live object of ch. A credential already
// gone is deleted; one still in use (412) is an error naming its users.
// The API may accept the delete and remove the asset later: the create of
// a replace waits for that (see createCredential).
func (p *Provider) deleteCredential(ctx context.Context, ch *diff.Change) error {
	live, err := apply.Live(ch, "delete")
	if err != nil {
		return err
	}
	err = p.c.deleteCredential(ctx, live.Key, live.ID)
	var e *Error
	if errors.As(err, &e) && rest.IsStatus(err, http.StatusPreconditionFailed) {
		e.Hint = "stop those workloads or point them at another credential, then apply again"
	}
	return err
}

// updateCredential sets the description of the live object of ch, the
// only field the API can change in place.
func (p *Provider) updateCredential(ctx context.Context, ch *diff.Change) (apply.Result, error) {
	d, err := apply.Desired(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	live, err := apply.Live(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	f, err := desiredFields(d)
	if err != nil {
		return apply.Result{}, &Error{Op: "update", Key: d.Key, Err: err}
	}
	if err := p.c.updateCredentialDescription(ctx, live.Key, live.ID, f.Description); err != nil {
		return apply.Result{}, err
	}
	return apply.Result{ID: live.ID}, nil
}

// createCredential posts the desired object of ch. A create whose reply
// was lost and whose retry met 409 is our own: it is read back and
// adopted, never created twice. The create of a replace first waits until
// the old asset, whose delete the API accepted, is gone (deletion is
// asynchronous on Run:ai). A create that meets 409 because an asset being
// deleted still holds the name waits until it is gone and tries again.
// Each wait is bounded by DeleteTimeout.
func (p *Provider) createCredential(ctx context.Context, ch *diff.Change, in apply.Inputs) (apply.Result, error) {
	d, err := apply.Desired(ch, "create")
	if err != nil {
		return apply.Result{}, err
	}
	body, err := createBody(d, in)
	if err != nil {
		return apply.Result{}, &Error{Op: "create", Key: d.Key, Err: err}
	}
	if ch.Action == diff.Replace && ch.Live != nil && ch.Live.ID != "" {
		if err := p.awaitGone(ctx, ch.Live.Key, p.deletedByID(ch.Live.Key, ch.Live.ID)); err != nil {
			return apply.Result{}, err
		}
	}
	deadline := p.c.now().Add(p.deleteTimeout())
	for {
		a, err := p.c.createCredential(ctx, d.Key, body)
		if err == nil {
			return apply.Result{ID: a.Meta.ID}, nil
		}
		if !rest.Conflict(err) {
			return apply.Result{}, p.c.wrap("create", d.Key, err)
		}
		held, found, ferr := p.c.findCredential(ctx, d.Key)
		if ferr == nil && found && held.beingDeleted() && p.c.now().Before(deadline) {
			if werr := p.awaitGone(ctx, d.Key, p.nameFreed(d.Key)); werr != nil {
				return apply.Result{}, werr
			}
			continue
		}
		id, err := rest.AdoptLostCreate(ctx, d.Key, d.Attrs, err, "the API", p.readBack(d.Key))
		return apply.Result{ID: id}, err
	}
}

// readBack reads back the credential of a name, for a lost create.
func (p *Provider) readBack(key manifest.Key) rest.ReadBack {
	return func(ctx context.Context) (string, map[string]string, bool, error) {
		a, found, err := p.c.findCredential(ctx, key)
		if err != nil || !found || a.beingDeleted() {
			return "", nil, false, err
		}
		return a.Meta.ID, assetFields(a).attrs(), true, nil
	}
}

// createBody builds the POST body from the desired object: its Key (name,
// scope and scope id), the fields of its Attrs, and the secret values
// (resolved ones from the plan, produced ones from in). Its errors name
// fields, never values.
func createBody(d *diff.Object, in apply.Inputs) (*createRequest, error) {
	f, err := desiredFields(d)
	if err != nil {
		return nil, err
	}
	k := d.Key
	body := &createRequest{Meta: createMeta{Name: k.Name, Description: f.Description, Scope: k.Scope}}
	switch k.Scope {
	case manifest.ScopeProject:
		id, err := strconv.ParseInt(k.ScopeID, 10, 32)
		if err != nil {
			return nil, errors.New("metadata.projectId is required for scope project")
		}
		projectID := int32(id)
		body.Meta.ProjectID = &projectID
	case manifest.ScopeDepartment:
		body.Meta.DepartmentID = k.ScopeID
	case manifest.ScopeCluster:
		body.Meta.ClusterID = strings.ToLower(k.ScopeID)
	}
	if f.Private {
		body.Meta.Private = &f.Private
	}
	if w := f.Workloads; w != (workloadTypes{}) {
		body.Meta.WorkloadSupportedTypes = &w
	}
	sp := &body.Spec
	sp.ExistingSecretName = f.ExistingSecretName
	sp.AccessKeyID, sp.User, sp.URL = f.AccessKeyID, f.User, f.URL
	for _, s := range []struct {
		path string
		dst  *string
	}{{"spec.secretAccessKey", &sp.SecretAccessKey}, {"spec.password", &sp.Password}, {"spec.ngc_api_key", &sp.NGCAPIKey}} {
		if _, ok := d.Secrets[s.path]; ok {
			if *s.dst, err = apply.SecretValue(d, s.path, in); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range f.sortedKeys() {
		v, err := apply.SecretValue(d, attrKeyValuePairs+"."+k, in)
		if err != nil {
			return nil, err
		}
		sp.KeyValuePairs = append(sp.KeyValuePairs, keyValue{Key: k, Value: v})
	}
	return body, nil
}

// sortedKeys returns the generic-secret keys in order.
func (f credFields) sortedKeys() []string {
	keys := slices.Clone(f.Keys)
	slices.Sort(keys)
	return keys
}
