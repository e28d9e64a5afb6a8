package runai

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/resource"
)

// Access rules as objects of the common model. A rule is keyed by its
// role (Key.Type), its scope and scope id (none for the tenant) and the
// name of its service account (Key.Name), so a changed rule is another
// key: a delete and a create, as the API wants (a rule cannot be
// updated). It has no attributes: everything it grants is in its key.
//
// The subject of a rule is the account's clientId. A desired rule does not
// hold it: the step that creates the rule takes the account's clientId
// from the apply's outputs, which hold the live account's and, once it is
// made, a new account's (the account is a level above its rules). A live
// rule is a rule whose subject type is service-account (or app, its
// deprecated name) and whose subject id is the clientId of a live service
// account; any other rule (a user's, a group's, an account's that is gone)
// is no object at all, so it is never planned, pruned or touched.

// desiredAccessRules builds the desired rules of a manifest service
// account (spec.accessRules), its name in each key. A rule listed twice is
// one rule.
func desiredAccessRules(sa *manifest.ServiceAccount) []*diff.Object {
	var objs []*diff.Object
	seen := map[manifest.Key]bool{}
	for _, r := range sa.Spec.AccessRules {
		k := ruleKey(sa.Metadata.Name, r.Role, r.Scope, r.ScopeID())
		if seen[k] {
			continue
		}
		seen[k] = true
		o := &diff.Object{Key: k, Provider: ProviderName}
		if r.RoleID != 0 {
			o.Settings = map[string]string{settingRoleID: strconv.FormatInt(int64(r.RoleID), 10)}
		}
		objs = append(objs, o)
	}
	return objs
}

// settingRoleID is the Settings entry of a desired rule that holds its
// role's id, when the roles were resolved before the plan.
const settingRoleID = "roleId"

// ruleKey is the key of the rule of role on scope for the account name;
// a tenant-scope rule has no scope id in its key, as in manifests.
func ruleKey(account, role, scope, scopeID string) manifest.Key {
	if scope == manifest.ScopeTenant {
		scopeID = ""
	}
	if scope == manifest.ScopeCluster {
		scopeID = strings.ToLower(scopeID)
	}
	return manifest.Key{Kind: manifest.KindAccessRule, Type: role, Scope: scope, ScopeID: scopeID, Name: account}
}

func init() {
	register(resource.KindAccessRule, kind{
		inScope:  func(s Scope) bool { return s.AccessRules },
		desired:  fromEach(desiredAccessRules),
		snapshot: (*Provider).snapshotAccessRules,
		do:       (*Provider).doAccessRule,
	})
}

// snapshotAccessRules reads the service accounts (their clientIds are the
// subjects of their rules; the listing is the one the service accounts'
// own read makes, see accounts) and then their rules.
func (p *Provider) snapshotAccessRules(ctx context.Context) ([]*diff.Object, error) {
	l, err := p.accounts(ctx)
	if err != nil {
		return nil, err
	}
	return p.liveAccessRules(ctx, l)
}

// liveAccessRules reads the rules of the live service accounts (by their
// clientIds) and maps those of subject type service-account or app to
// their account. Rules on scope system, which only the platform owner
// has, are left out.
func (p *Provider) liveAccessRules(ctx context.Context, accounts []serviceAccount) ([]*diff.Object, error) {
	byClient := map[string]string{}
	var ids []string
	for _, a := range accounts {
		if a.ClientID != "" && a.Name != "" {
			byClient[a.ClientID] = a.Name
			ids = append(ids, a.ClientID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rules, err := p.c.listAccessRules(ctx, manifest.Key{}, ids)
	if err != nil {
		return nil, err
	}
	var objs []*diff.Object
	var roleNames map[int32]string // read once, when a rule comes without its role's name
	for _, r := range rules {
		name, ok := byClient[r.SubjectID]
		if !ok || subjectKind(r.SubjectType) != subjectServiceAccount || !ruleScope(r.ScopeType) {
			continue
		}
		role := r.RoleName
		if role == "" && roleNames == nil {
			if roleNames, err = p.roleNames(ctx); err != nil {
				return nil, err
			}
		}
		if role == "" {
			role = cmp.Or(roleNames[r.RoleID], fmt.Sprintf("role %d", r.RoleID))
		}
		objs = append(objs, &diff.Object{Key: ruleKey(name, role, r.ScopeType, r.ScopeID), Provider: ProviderName,
			ID: strconv.FormatInt(int64(r.ID), 10)})
	}
	return objs, nil
}

// roleNames maps the roles' ids to their names, for rules listed without
// the name (a sparse reply): keyed by name, such a rule still matches its
// manifest.
func (p *Provider) roleNames(ctx context.Context) (map[int32]string, error) {
	roles, err := p.c.ListRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("a rule came without its role's name, and the roles could not be read: %w", err)
	}
	m := make(map[int32]string, len(roles))
	for _, r := range roles {
		m[r.ID] = r.Name
	}
	return m, nil
}

// ruleScope reports the scope types a manifest rule may have.
func ruleScope(t string) bool { return slices.Contains(manifest.Scopes, t) }

// doAccessRule carries out one step on an access rule: a delete, or a
// create (a rule is never updated: a changed rule is another key).
func (p *Provider) doAccessRule(ctx context.Context, step diff.Step, in apply.Inputs) (apply.Result, error) {
	ch := step.Change
	if step.Phase == diff.PhaseDelete {
		live, err := apply.Live(ch, "delete")
		if err != nil {
			return apply.Result{}, err
		}
		id, err := strconv.ParseInt(live.ID, 10, 32)
		if err != nil {
			return apply.Result{}, &Error{Op: "delete " + ch.Key.UnderString(ch.Key.ScopeString()), Key: ch.Key, Err: fmt.Errorf("rule id %q is not a number", live.ID)}
		}
		return apply.Result{}, p.c.deleteAccessRule(ctx, ch.Key, accessRule{ID: int32(id), RoleName: ch.Key.Type, ScopeType: ch.Key.Scope, ScopeID: ch.Key.ScopeID})
	}
	if ch.Action != diff.Create && ch.Action != diff.Replace {
		return apply.Result{}, &Error{Op: ch.Action.String(), Key: ch.Key, Err: errors.New("an access rule cannot be updated: a changed rule is a delete and a create")}
	}
	s, err := p.ruleSpec(ctx, ch, in)
	if err != nil {
		return apply.Result{}, err
	}
	r, err := p.c.createAccessRule(ctx, ch.Key, s)
	if err != nil {
		return apply.Result{}, err
	}
	return apply.Result{ID: strconv.FormatInt(int64(r.ID), 10)}, nil
}

// ruleSpec is what the create of the rule of ch asks for: the account's
// clientId from the apply's outputs, the role's id (resolved before the
// plan, Settings["roleId"], or else now), the scope's id (the tenant's id for scope tenant).
func (p *Provider) ruleSpec(ctx context.Context, ch *diff.Change, in apply.Inputs) (accessRuleSpec, error) {
	k := ch.Key
	s := accessRuleSpec{SubjectType: subjectServiceAccount, Role: k.Type, ScopeType: k.Scope, ScopeID: k.ScopeID}
	op := "create " + k.UnderString(k.ScopeString())
	account := manifest.Key{Kind: manifest.KindServiceAccount, Name: k.Name}
	var clientID manifest.Secret
	found := false
	if in != nil {
		clientID, found = in.Output(account, manifest.FieldClientID)
	}
	if !found || clientID.IsZero() {
		return s, &Error{Op: op, Key: k, Err: fmt.Errorf("the clientId of %s is unknown: no live account and no earlier step of this apply made it", account)}
	}
	s.SubjectID = clientID.Reveal()
	var err error
	if id := settingOf(ch.Desired, settingRoleID); id != "" {
		n, perr := strconv.ParseInt(id, 10, 32)
		if perr != nil {
			return s, &Error{Op: op, Key: k, Err: fmt.Errorf("role id %q is not a number", id)}
		}
		s.RoleID = int32(n)
	} else if s.RoleID, err = p.refs.roleID(ctx, p.c, k.Type); err != nil {
		return s, &Error{Op: op, Key: k, Err: err, Hint: "name a role GET /api/v1/authorization/roles lists"}
	}
	if k.Scope == manifest.ScopeTenant {
		if s.ScopeID, err = p.refs.tenantID(ctx, p.c); err != nil {
			return s, err
		}
	}
	return s, nil
}

// settingOf is the setting name of a desired object, "" when there is
// none.
func settingOf(d *diff.Object, name string) string {
	if d == nil {
		return ""
	}
	return d.Settings[name]
}

// ruleRefs caches, for the steps of one provider, the role ids by name
// and the tenant's id, each read at most once and only when a step needs
// it.
type ruleRefs struct {
	mu     sync.Mutex
	roles  roleIndex
	tenant string
}

// roleID resolves a role name through GET /api/v1/authorization/roles.
func (r *ruleRefs) roleID(ctx context.Context, c *Client, name string) (int32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.roles == nil {
		ix, err := c.listRoles(ctx)
		if err != nil {
			return 0, err
		}
		r.roles = ix
	}
	return r.roles.id(name)
}

// tenantID is the scope id of scope tenant: the tenant's id, which every
// cluster of GET /api/v1/clusters names (tenantId).
func (r *ruleRefs) tenantID(ctx context.Context, c *Client) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tenant != "" {
		return r.tenant, nil
	}
	var clusters []struct {
		TenantID *int64 `json:"tenantId"`
	}
	req := rest.Request{Method: http.MethodGet, Path: clustersPath, Query: url.Values{"verbosity": {"metadata"}}}
	if _, err := c.call(ctx, "read the tenant id", manifest.Key{}, req, &clusters); err != nil {
		return "", err
	}
	for _, cl := range clusters {
		if cl.TenantID != nil {
			r.tenant = strconv.FormatInt(*cl.TenantID, 10)
			return r.tenant, nil
		}
	}
	return "", &Error{Op: "read the tenant id", Err: errors.New("GET /api/v1/clusters lists no cluster, so no tenant id for a rule on scope tenant")}
}
