package runai

import (
	"context"
	"fmt"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/resource"
)

// ProviderName is the Provider of the objects this package owns.
const ProviderName = resource.ProviderRunai

// DefaultPollInterval is how often Wait polls the sync status.
const DefaultPollInterval = time.Second

// Provider maps Run:ai objects to the common model and carries out plan
// steps on them. It implements apply.Provider and apply.Waiter. Each
// resource family (credentials, service accounts, access keys) has files
// of its own; Do dispatches by Key.Kind, and Snapshot reads the families of
// its Scope.
type Provider struct {
	c     *Client
	scope Scope
	// PollInterval is how often Wait polls (default DefaultPollInterval).
	PollInterval time.Duration
	// DeleteTimeout bounds each wait for a credential being deleted: a
	// replace's create waiting for its old asset to go, a create waiting
	// for its name (default DefaultDeleteTimeout; see deleting.go).
	DeleteTimeout time.Duration
	// sleep waits between polls; nil uses a timer (tests advance a clock).
	sleep func(ctx context.Context, d time.Duration) error
	// refs holds the role ids and the tenant id the steps on access rules
	// read.
	refs ruleRefs
}

var (
	_ apply.Provider = (*Provider)(nil)
	_ apply.Waiter   = (*Provider)(nil)
)

// Scope says which families the provider manages: Desired builds their
// objects and Snapshot reads them, with one list call each. A family out
// of scope is neither planned nor read, so ScopeOf gives the scope a
// manifest set needs.
type Scope struct {
	// Credentials reads GET /api/v1/asset/credentials.
	Credentials bool
	// ServiceAccounts reads GET /api/v1/service-accounts.
	ServiceAccounts bool
	// AccessKeys reads the caller's keys, GET /api/v1/access-keys.
	AccessKeys bool
	// AccessRules also reads the access rules of the live service
	// accounts (GET /api/v1/authorization/access-rules by their
	// clientIds), and plans the rules of the declared ones.
	AccessRules bool
	// ForeignAccessKeys also reads every user's keys through the
	// administration listing (GET /api/v1/administration/access-keys), so
	// that keys made outside git are seen: those that are not the caller's
	// are live objects of scope "user" (see liveForeignAccessKey).
	ForeignAccessKeys bool
}

// ScopeOf is the scope a manifest set needs: credentials when it holds
// credentials or credential selectors, service accounts when it holds
// service accounts or an ownership.serviceAccounts selector, access keys
// when it holds access keys or an ownership.accessKeys selector, and the
// other users' keys when it has an ownership.accessKeys selector.
func ScopeOf(set *manifest.Set) Scope {
	var s Scope
	for _, r := range set.Resources {
		switch r.(type) {
		case *manifest.Credential:
			s.Credentials = true
		case *manifest.ServiceAccount:
			s.ServiceAccounts, s.AccessRules = true, true
		case *manifest.AccessKey:
			s.AccessKeys = true
		}
	}
	for _, o := range set.Ownerships {
		if len(o.Spec.Credentials) > 0 {
			s.Credentials = true
		}
		if o.Spec.ServiceAccounts != nil {
			s.ServiceAccounts, s.AccessRules = true, true
		}
		if o.Spec.AccessKeys != nil {
			s.AccessKeys = true
			s.ForeignAccessKeys = true
		}
	}
	return s
}

// NewProvider returns the provider of client c for credentials alone, as
// it was before service accounts and access keys joined: its Snapshot
// costs the login and one list call. Use NewProviderScoped with ScopeOf to
// manage every family a manifest set holds.
func NewProvider(c *Client) *Provider { return NewProviderScoped(c, Scope{Credentials: true}) }

// NewProviderScoped returns the provider of client c for the families of s.
func NewProviderScoped(c *Client, s Scope) *Provider { return &Provider{c: c, scope: s} }

// Scope is the families the provider reads.
func (p *Provider) Scope() Scope { return p.scope }

// Name implements apply.Provider: "runai".
func (p *Provider) Name() string { return ProviderName }

// Desired turns the credentials, service accounts and access keys of set
// that are in the provider's scope into desired objects, resolving the
// fromEnv and fromFile secrets of credentials through r. Every reference
// that cannot be resolved is a diagnostic (file:line:col, field); all are
// collected, and the objects are returned with them.
func (p *Provider) Desired(set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics) {
	var objs []*diff.Object
	var diags manifest.Diagnostics
	for _, k := range kindsInScope(p.scope) {
		o, ds := k.desired(p, set, r)
		objs = append(objs, o...)
		diags = append(diags, ds...)
	}
	return objs, diags.Sort()
}

// Do implements apply.Provider: it carries out one step of a change, by
// the handler its kind registered.
func (p *Provider) Do(ctx context.Context, step diff.Step, in apply.Inputs) (apply.Result, error) {
	ch := step.Change
	if ch == nil {
		return apply.Result{}, fmt.Errorf("runai: a step without a change")
	}
	if k, ok := kinds[ch.Key.Kind]; ok {
		return k.do(p, ctx, step, in)
	}
	return apply.Result{}, &Error{Op: step.Change.Action.String(), Key: ch.Key,
		Err: fmt.Errorf("the runai provider does not manage %s", ch.Key.Kind)}
}
