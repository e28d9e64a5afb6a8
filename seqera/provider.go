package seqera

import (
	"context"
	"fmt"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/resource"
)

// ProviderName is the Provider of the objects this package owns.
const ProviderName = resource.ProviderSeqera

// Options are the switches of a Provider.
type Options struct {
	// Force deletes a credential even while running jobs use it (the
	// delete is sent with checked=false); without it Seqera refuses, and
	// the error names the jobs.
	Force bool
}

// Provider maps Seqera credentials to the common model and carries out
// plan steps on them. It implements apply.Provider.
type Provider struct {
	c          *Client
	workspaces []string
	opts       Options
}

var _ apply.Provider = (*Provider)(nil)

// NewProvider returns the provider of client c, reading the given
// workspaces: decimal ids, "" for the user's personal workspace (no
// workspaceId parameter is sent for it). Workspaces(set) gives the ones a
// manifest set names.
func NewProvider(c *Client, workspaces []string, opts Options) *Provider {
	return &Provider{c: c, workspaces: sortWorkspaces(workspaces), opts: opts}
}

// Name implements apply.Provider: "seqera".
func (p *Provider) Name() string { return ProviderName }

// Desired turns the SeqeraCredentials of set into desired objects,
// resolving their fromEnv and fromFile keys through r. Every key that
// cannot be resolved is a diagnostic (file:line:col, field); all are
// collected, and the objects are returned with them. It sends nothing.
func (p *Provider) Desired(set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics) {
	var objs []*diff.Object
	var diags manifest.Diagnostics
	for _, res := range set.Resources {
		if s, ok := res.(*manifest.SeqeraCredential); ok {
			o, ds := desiredObject(s, r)
			objs = append(objs, o)
			diags = append(diags, ds...)
		}
	}
	return objs, diags.Sort()
}

// Snapshot reads the credentials of every workspace of the provider, with
// one GET /credentials per workspace, whatever their number. Credentials
// marked deleted are left out.
func (p *Provider) Snapshot(ctx context.Context) ([]*diff.Object, error) {
	var objs []*diff.Object
	for _, ws := range p.workspaces {
		all, err := p.c.list(ctx, "list credentials", ws)
		if err != nil {
			return nil, err
		}
		for _, cr := range all {
			if !isDeleted(cr) && cr.Name != "" {
				objs = append(objs, liveObject(cr, ws))
			}
		}
	}
	return objs, nil
}

// Do implements apply.Provider: it carries out one step of a change on a
// Seqera credential. A create whose reply was lost and that then met 409
// adopts what it made; a delete of a credential already gone succeeds.
func (p *Provider) Do(ctx context.Context, step diff.Step, in apply.Inputs) (apply.Result, error) {
	ch := step.Change
	if ch == nil {
		return apply.Result{}, fmt.Errorf("seqera: a step without a change")
	}
	if ch.Key.Kind != manifest.KindSeqeraCredential {
		return apply.Result{}, &Error{Op: ch.Action.String(), Key: ch.Key,
			Err: fmt.Errorf("the seqera provider does not manage %s", ch.Key.Kind)}
	}
	switch {
	case step.Phase == diff.PhaseDelete:
		return apply.Result{}, p.delete(ctx, ch)
	case ch.Action == diff.Create || ch.Action == diff.Replace:
		return p.create(ctx, ch, in)
	case ch.Action == diff.Update:
		return p.update(ctx, ch, in)
	}
	return apply.Result{}, &Error{Op: ch.Action.String(), Key: ch.Key, Err: fmt.Errorf("nothing to do in phase %d", step.Phase)}
}
