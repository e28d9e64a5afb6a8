package seqera

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/rest"
)

// delete deletes the live object of ch: checked (refused while running
// jobs use it) unless Options.Force.
func (p *Provider) delete(ctx context.Context, ch *diff.Change) error {
	live, err := apply.Live(ch, "delete")
	if err != nil {
		return err
	}
	return p.c.remove(ctx, live.Key, live.ID, !p.opts.Force)
}

// update replaces the live credential of ch with the desired one, every
// key included: it keeps its id.
func (p *Provider) update(ctx context.Context, ch *diff.Change, in apply.Inputs) (apply.Result, error) {
	d, err := apply.Desired(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	live, err := apply.Live(ch, "update")
	if err != nil {
		return apply.Result{}, err
	}
	body, err := requestBody(d, live.ID, in, true)
	if err != nil {
		return apply.Result{}, &Error{Op: "update", Key: d.Key, Err: err}
	}
	if err := p.c.update(ctx, live.Key, live.ID, body); err != nil {
		return apply.Result{}, err
	}
	return apply.Result{ID: live.ID}, nil
}

// create posts the desired object of ch. A create whose reply was lost and
// whose retry met 409 is our own: it is read back and adopted, never
// created twice.
func (p *Provider) create(ctx context.Context, ch *diff.Change, in apply.Inputs) (apply.Result, error) {
	d, err := apply.Desired(ch, "create")
	if err != nil {
		return apply.Result{}, err
	}
	body, err := requestBody(d, "", in, false)
	if err != nil {
		return apply.Result{}, &Error{Op: "create", Key: d.Key, Err: err}
	}
	id, err := p.c.create(ctx, d.Key, body)
	if err == nil {
		return apply.Result{ID: id}, nil
	}
	if !rest.Conflict(err) {
		return apply.Result{}, wrap("create", d.Key, err)
	}
	id, err = rest.AdoptLostCreate(ctx, d.Key, d.Attrs, err, "Seqera", p.readBack(d))
	return apply.Result{ID: id}, err
}

// readBack reads back the credential of d's name in its workspace, for a
// lost create. Keys a reply does not show (a platform that answers without
// keys) are taken as d's: what can be read (provider, description,
// category, base URL) must match.
func (p *Provider) readBack(d *diff.Object) rest.ReadBack {
	return func(ctx context.Context) (string, map[string]string, bool, error) {
		cr, found, err := p.c.find(ctx, d.Key)
		if err != nil || !found {
			return "", nil, found, err
		}
		attrs := liveFields(cr).attrs()
		for _, path := range unread(cr) {
			if v, ok := d.Attrs[path]; ok {
				attrs[path] = v
			}
		}
		return cr.ID, attrs, true, nil
	}
}

// requestBody builds the body of a create (id "") or an update: the plan's
// fields, and every key, secret values resolved before the apply or
// produced by an earlier step (in). Its errors name fields, never values.
func requestBody(d *diff.Object, id string, in apply.Inputs, update bool) (*writeBody, error) {
	text := func(path string) (string, error) {
		q, ok := d.Attrs[path]
		if !ok {
			return "", nil
		}
		v, err := strconv.Unquote(q)
		if err != nil {
			return "", fmt.Errorf("%s: the plan holds no quoted text for it", path)
		}
		return v, nil
	}
	w := writeCredential{ID: id, Name: d.Key.Name, Keys: writeKeys{}}
	var err error
	for path, dst := range map[string]*string{attrDescription: &w.Description, attrProvider: &w.Provider, attrCategory: &w.Category, attrBaseURL: &w.BaseURL} {
		if *dst, err = text(path); err != nil {
			return nil, err
		}
	}
	if w.Provider == "" {
		return nil, errors.New("spec.provider: the plan holds none")
	}
	w.Keys[discriminator] = w.Provider
	for path := range d.Attrs {
		if name, ok := strings.CutPrefix(path, attrKeys); ok {
			if w.Keys[name], err = text(path); err != nil {
				return nil, err
			}
		}
	}
	for path := range d.Secrets {
		if name, ok := strings.CutPrefix(path, attrKeys); ok {
			if w.Keys[name], err = apply.SecretValue(d, path, in); err != nil {
				if out := d.Secrets[path].Output; out != nil && update {
					err = fmt.Errorf("%w (Seqera's update sends every key, and the %s is shown only once: change the rotation of %s to make a new one)", err, out.Field, out.Key)
				}
				return nil, err
			}
		}
	}
	return &writeBody{Credentials: w}, nil
}
