package runai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/manifest"
)

// Routes of service accounts and access keys in the emulator's Counts.
const (
	routeSAList      = "GET /api/v1/service-accounts"
	routeSACreate    = "POST /api/v1/service-accounts"
	routeSAPatch     = "PATCH /api/v1/service-accounts/{serviceAccountId}"
	routeSASecret    = "POST /api/v1/service-accounts/{serviceAccountId}/secret"
	routeSADelete    = "DELETE /api/v1/service-accounts/{serviceAccountId}"
	routeAKList      = "GET /api/v1/access-keys"
	routeAKCreate    = "POST /api/v1/access-keys"
	routeAKSecret    = "POST /api/v1/access-keys/{accessKeyId}/secret"
	routeAKDelete    = "DELETE /api/v1/access-keys/{accessKeyId}"
	routeAdminList   = "GET /api/v1/administration/access-keys"
	routeAdminDelete = "DELETE /api/v1/administration/access-keys/{accessKeyId}"
)

// allScope is every family, the other users' access keys included.
var allScope = Scope{Credentials: true, ServiceAccounts: true, AccessKeys: true, ForeignAccessKeys: true}

// setupIdentities is setup with a provider of every family.
func setupIdentities(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	e := setup(t, opts)
	e.p = e.scoped(allScope)
	return e
}

// scoped is a provider of e's client for the families of s.
func (e *env) scoped(s Scope) *Provider {
	p := NewProviderScoped(e.c, s)
	p.PollInterval = e.p.PollInterval
	return p
}

// saDoc is a ServiceAccount manifest with a spec (a YAML flow map, or "").
func saDoc(name, spec string) string {
	if spec == "" {
		return fmt.Sprintf("---\napiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: %s}\n", name)
	}
	return fmt.Sprintf("---\napiVersion: runai-sync/v1\nkind: ServiceAccount\nmetadata: {name: %s}\nspec: %s\n", name, spec)
}

// akDoc is an AccessKey manifest with a spec (a YAML flow map, or "").
func akDoc(name, spec string) string {
	if spec == "" {
		return fmt.Sprintf("---\napiVersion: runai-sync/v1\nkind: AccessKey\nmetadata: {name: %s}\n", name)
	}
	return fmt.Sprintf("---\napiVersion: runai-sync/v1\nkind: AccessKey\nmetadata: {name: %s}\nspec: %s\n", name, spec)
}

// one is the single desired object of src.
func (e *env) one(src string) *diff.Object {
	e.t.Helper()
	objs := e.desired(src, nil)
	if len(objs) != 1 {
		e.t.Fatalf("Desired gave %d objects, want 1", len(objs))
	}
	return objs[0]
}

// do runs one step of ch.
func (e *env) do(phase diff.Phase, ch *diff.Change) (apply.Result, error) {
	return e.p.Do(context.Background(), diff.Step{Phase: phase, Level: diff.Level(ch.Key.Kind), Change: ch}, nil)
}

// mustDo runs one step of ch, failing on an error.
func (e *env) mustDo(phase diff.Phase, ch *diff.Change) apply.Result {
	e.t.Helper()
	res, err := e.do(phase, ch)
	if err != nil {
		e.t.Fatalf("%s %s: %v", ch.Action, ch.Key, err)
	}
	return res
}

// overlay puts the rotation marker a state would remember on a live
// object, as the state does: quoted.
func overlay(l *diff.Object, marker string) *diff.Object {
	if marker != "" {
		if l.Attrs == nil {
			l.Attrs = map[string]string{}
		}
		l.Attrs[attrRotation] = strconv.Quote(marker)
	}
	return l
}

// plan computes the change of desired d against the live object of its
// key, with the rotation marker last applied overlaid.
func (e *env) plan(d *diff.Object, lastMarker string) *diff.Change {
	e.t.Helper()
	l := e.snapshot()[d.Key]
	if l == nil {
		e.t.Fatalf("%s is not live", d.Key)
	}
	p := diff.Compute([]*diff.Object{d}, []*diff.Object{overlay(l, lastMarker)}, &manifest.Set{}, diff.Options{})
	return p.Changes[0]
}

// secrets is the client id and secret a step delivered.
func secrets(t *testing.T, res apply.Result) (clientID, secret string) {
	t.Helper()
	id, sec := res.Outputs[manifest.FieldClientID], res.Outputs[manifest.FieldClientSecret]
	if id.IsZero() || sec.IsZero() || id.Reveal() == "" || sec.Reveal() == "" {
		t.Fatalf("the step delivered no clientId or clientSecret: %v", res.Outputs)
	}
	return id.Reveal(), sec.Reveal()
}

// tokenStatus logs in with a client id and secret, as a pipeline would, and
// returns the status of POST /api/v1/token.
func (e *env) tokenStatus(clientID, secret string) int {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"grantType": "client_credentials", "clientId": clientID, "clientSecret": secret})
	resp, err := http.Post(e.em.URL+"/api/v1/token", "application/json", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// wantLogin checks that a client id and secret log in (200) or not (401).
func (e *env) wantLogin(what, clientID, secret string, want int) {
	e.t.Helper()
	if got := e.tokenStatus(clientID, secret); got != want {
		e.t.Errorf("%s: login answered %d, want %d", what, got, want)
	}
}

// count is the number of requests of a route since the last reset.
func (e *env) count(route string) int { return e.em.Server.Counts()[route] }
