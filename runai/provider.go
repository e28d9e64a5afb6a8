package runai

import (
	"context"
	"fmt"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// ProviderName is the Provider of the objects this package owns.
const ProviderName = "runai"

// DefaultPollInterval is how often Wait polls the sync status.
const DefaultPollInterval = time.Second

// Provider maps Run:ai objects to the common model and carries out plan
// steps on them. It implements apply.Provider and apply.Waiter. Today it
// manages credentials; service accounts and access keys will join as
// families of their own, dispatched by Key.Kind.
type Provider struct {
	c *Client
	// PollInterval is how often Wait polls (default DefaultPollInterval).
	PollInterval time.Duration
}

var (
	_ apply.Provider = (*Provider)(nil)
	_ apply.Waiter   = (*Provider)(nil)
)

// NewProvider returns the provider of client c.
func NewProvider(c *Client) *Provider { return &Provider{c: c} }

// Name implements apply.Provider: "runai".
func (p *Provider) Name() string { return ProviderName }

// Desired turns the credentials of set into desired objects, resolving
// their fromEnv and fromFile secrets through r. Every reference that
// cannot be resolved is a diagnostic (file:line:col, field); all are
// collected, and the objects are returned with them.
func (p *Provider) Desired(set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics) {
	var objs []*diff.Object
	var diags manifest.Diagnostics
	for _, res := range set.Resources {
		if c, ok := res.(*manifest.Credential); ok {
			o, ds := desiredCredential(c, r)
			objs = append(objs, o)
			diags = append(diags, ds...)
		}
	}
	return objs, diags.Sort()
}

// Snapshot reads every credential of the tenant with one combined list
// call (plus the login), whatever their number, with usage and status.
// Assets of scope system are left out.
func (p *Provider) Snapshot(ctx context.Context) ([]*diff.Object, error) {
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

// Do implements apply.Provider: it carries out one step of a change.
func (p *Provider) Do(ctx context.Context, step diff.Step, in apply.Inputs) (apply.Result, error) {
	ch := step.Change
	if ch == nil {
		return apply.Result{}, fmt.Errorf("runai: a step without a change")
	}
	switch ch.Key.Kind {
	case manifest.KindCredential:
		return p.doCredential(ctx, step, in)
	}
	return apply.Result{}, &Error{Op: step.Change.Action.String(), Key: ch.Key,
		Err: fmt.Errorf("the runai provider does not manage %s yet", ch.Key.Kind)}
}
