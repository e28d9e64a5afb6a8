package main

import (
	"fmt"
	"strconv"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/runai"
	"github.com/runai-sync/runai-sync/seqera"
	"github.com/runai-sync/runai-sync/tenants"
)

// tenant is what one run reaches: a Run:ai API and its login, optionally a
// Seqera Platform, the manifests with their variables, and the state. The
// environment gives one (no tenants file); each entry of a tenants file
// gives one.
type tenant struct {
	// name is "" for the tenant of the environment.
	name string
	url  string
	// clientID with clientSecret, or token.
	clientID            string
	clientSecret, token manifest.Secret
	seqera              seqeraConn
	files               []string
	// vars are substituted in the manifests (nil: none).
	vars *manifest.Vars
	// state is as --state takes it; "" is the default.
	state string
	// secretRoots are where secret files must lie (nil: the working
	// directory); with a tenants file, its directory.
	secretRoots []string
}

// seqeraConn is a Seqera Platform: its endpoint, token and default
// workspace (0: the personal one).
type seqeraConn struct {
	endpoint  string
	token     manifest.Secret
	workspace int64
}

// envTenant is the tenant of the environment and flags: --url or
// RUNAI_BASE_URL, RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET or RUNAI_TOKEN,
// TOWER_API_ENDPOINT, TOWER_ACCESS_TOKEN and TOWER_WORKSPACE_ID, --state.
func envTenant(env *Env, g *Globals, files []string) (*tenant, error) {
	t := &tenant{url: g.URL, clientID: env.Getenv("RUNAI_CLIENT_ID"), files: files, state: g.State,
		seqera: seqeraConn{endpoint: env.Getenv("TOWER_API_ENDPOINT")}}
	if v := env.Getenv("RUNAI_CLIENT_SECRET"); v != "" {
		t.clientSecret = manifest.NewSecret(v)
	}
	if v := env.Getenv("RUNAI_TOKEN"); v != "" {
		t.token = manifest.NewSecret(v)
	}
	if v := env.Getenv("TOWER_ACCESS_TOKEN"); v != "" {
		t.seqera.token = manifest.NewSecret(v)
	}
	if v := env.Getenv("TOWER_WORKSPACE_ID"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("TOWER_WORKSPACE_ID=%q: a Seqera workspace id is a positive number", v)
		}
		t.seqera.workspace = id
	}
	return t, nil
}

// fileTenant is an entry of the tenants file, its connection secrets
// resolved (offline commands get none).
func fileTenant(env *Env, ft *tenants.Tenant, run tenantRun) (*tenant, error) {
	t := &tenant{name: ft.Name, url: ft.URL, files: ft.Manifests, vars: ft.ManifestVars(), state: ft.State,
		secretRoots: []string{run.secretRoot}}
	manifest.RegisterURLSecrets(t.state) // a password in a postgres:// URL
	if ft.Seqera != nil {
		t.seqera = seqeraConn{endpoint: ft.Seqera.Endpoint, workspace: ft.Seqera.WorkspaceID}
	}
	if run.offline {
		return t, nil
	}
	r := run.secrets.resolver(env, t.secretRoots...)
	get := func(s *tenants.Secret, into *manifest.Secret) error {
		if s == nil {
			return nil
		}
		v, err := ft.Resolve(r, s)
		*into = v
		return err
	}
	var id manifest.Secret
	if err := get(ft.ClientID, &id); err != nil {
		return nil, err
	}
	t.clientID = id.Reveal() // a client id is not secret; it may come from one
	if err := get(ft.ClientSecret, &t.clientSecret); err != nil {
		return nil, err
	}
	if err := get(ft.Token, &t.token); err != nil {
		return nil, err
	}
	if ft.Seqera != nil {
		if err := get(ft.Seqera.Token, &t.seqera.token); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// loader reads the tenant's manifests: standard input for "-", its
// variables, its default Seqera workspace.
func (t *tenant) loader(env *Env) manifest.Loader {
	return manifest.Loader{Stdin: env.Stdin, SeqeraWorkspace: t.seqera.workspace, Vars: t.vars}
}

// runaiClient builds the Run:ai client; it sends nothing.
func (t *tenant) runaiClient(env *Env, conn ConnFlags) (*runai.Client, error) {
	return runai.New(runai.Config{BaseURL: t.url, ClientID: t.clientID, ClientSecret: t.clientSecret, Token: t.token, Settings: conn.settings(env)})
}

// seqeraConfig is the Seqera client's configuration.
func (t *tenant) seqeraConfig(env *Env, conn ConnFlags) seqera.Config {
	return seqera.Config{Endpoint: t.seqera.endpoint, Token: t.seqera.token, Settings: conn.settings(env)}
}
