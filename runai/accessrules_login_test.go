package runai

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestServiceAccountWorksWhereItsRuleGrants logs in as a service account
// with one rule, ML engineer on project team-a (12), and uses credentials
// with its own token. The emulator follows a reading of the vendor docs
// that leave this open: lists leave out what the account may not read; a
// list that names a unit it may not read, and any write outside its
// grants, answer 403.
func TestServiceAccountWorksWhereItsRuleGrants(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	ctx := context.Background()
	pw := `{type: password, user: u, password: p1}`
	objs := e.desired(credentialDoc("a-login", "scope: project, projectId: 12", pw)+
		credentialDoc("b-login", "scope: project, projectId: 13", pw)+
		credentialDoc("t-login", "scope: tenant", pw), nil)
	e.mustCreate(objs...)
	aKey, bKey := objs[0].Key, objs[1].Key
	key, clientID, secret := e.newAccount("ci")

	cfg := e.cfg
	cfg.ClientID, cfg.ClientSecret = clientID, manifest.NewSecret(secret)
	sa, _ := e.connect(cfg)

	// Without a rule the account sees nothing and may do nothing.
	if l, err := sa.listAllCredentials(ctx); err != nil || len(l) != 0 {
		t.Errorf("without rules: %d credentials, %v", len(l), err)
	}
	if _, err := e.c.createAccessRule(ctx, key, e.ruleFor(clientID, "ML engineer", "project", "12")); err != nil {
		t.Fatal(err)
	}

	all, err := sa.listAllCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Meta.Name != "a-login" {
		t.Errorf("the account lists %+v, want a-login only", all)
	}
	if _, found, err := sa.findCredential(ctx, aKey); err != nil || !found {
		t.Errorf("team-a read back: found %v, %v", found, err)
	}
	_, _, err = sa.findCredential(ctx, bKey)
	if !rest.IsStatus(err, http.StatusForbidden) || !strings.Contains(err.Error(), "no access rule that lets it read credentials in project 13") ||
		!strings.Contains(err.Error(), "grant it a role that allows this") {
		t.Errorf("team-b read back: %v, want 403 with a hint", err)
	}
	if err := sa.updateCredentialDescription(ctx, aKey, all[0].Meta.ID, "by the account"); err != nil {
		t.Errorf("update in team-a: %v", err)
	}
	live := e.snapshot()[bKey]
	if err := sa.deleteCredential(ctx, bKey, live.ID); !rest.IsStatus(err, http.StatusForbidden) {
		t.Errorf("delete in team-b: %v, want 403", err)
	}
	if e.snapshot()[bKey] == nil {
		t.Error("the refused delete removed b-login")
	}
}
