package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/export"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/runai"
)

// ExportCmd prints live state as manifests.
type ExportCmd struct {
	TenantFlags
	ConnFlags
	SecretFlags
	Kind      []string `enum:"Credential,ServiceAccount,AccessKey,SeqeraCredential" placeholder:"KIND" help:"Export only these kinds (repeat); default: every Run:ai kind, and Seqera credentials when TOWER_ACCESS_TOKEN is set."`
	Workspace []int64  `placeholder:"ID" help:"Seqera workspaces to export (repeat); default TOWER_WORKSPACE_ID, else the personal workspace."`
	IDs       bool     `name:"ids" help:"Write projects, departments and clusters by id (projectId: 12) rather than by name (project: team-a)."`
	Secrets   string   `default:"env" placeholder:"env|sops:FILE" help:"How secret fields read their values: env (fromEnv placeholders) or sops:FILE (fromSops placeholders into the SOPS-encrypted FILE, relative to where the manifests will live)."`
}

// Help describes export.
func (c *ExportCmd) Help() string {
	return `Export reads the live state and prints it as manifests, to bring a tenant
managed by hand under runai-sync: review them, commit them, add an Ownership
document, and plan. The APIs never return secret values, so each secret field
reads an environment variable named after the object and the field
(TEAM_A_S3_SECRET_ACCESS_KEY); the comments and standard error list them.
Rotation markers and secret files are not part of the live state: add them.
A service account's access rules are written into its spec.accessRules (roles
by name). Projects, departments and clusters are written by name
(CLUSTER/PROJECT when a project name is found in several clusters); --ids
writes their ids.

  runai-sync export --kind Credential > manifests/credentials.yaml`
}

// Run exports, for each selected tenant of a tenants file (each tenant's
// documents after a comment naming it).
func (c *ExportCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	if _, err := c.exportOptions(); err != nil {
		return err // before any tenant runs
	}
	return c.TenantFlags.run(ctx, env, g, tenantRun{noManifests: true, output: "text", secrets: c.SecretFlags,
		header: func(name, url string) string { return fmt.Sprintf("# == tenant %s (%s)", name, url) },
		run:    func(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error) { return nil, c.export(ctx, env, t) }})
}

// export prints the live state of one tenant.
func (c *ExportCmd) export(ctx context.Context, env *Env, t *tenant) error {
	opts, err := c.exportOptions()
	if err != nil {
		return err
	}
	want := func(k manifest.Kind) bool { return len(c.Kind) == 0 || slices.Contains(c.Kind, string(k)) }
	scope := runai.Scope{Credentials: want(manifest.KindCredential), ServiceAccounts: want(manifest.KindServiceAccount), AccessKeys: want(manifest.KindAccessKey),
		AccessRules: want(manifest.KindServiceAccount)} // a service account's rules are in its manifest
	var providers []provider
	var rc *runai.Client
	if scope != (runai.Scope{}) {
		var err error
		if rc, err = t.runaiClient(env, c.ConnFlags); err != nil {
			return err
		}
		providers = append(providers, runai.NewProviderScoped(rc, scope))
	}
	if slices.Contains(c.Kind, string(manifest.KindSeqeraCredential)) || len(c.Kind) == 0 && !t.seqera.token.IsZero() {
		workspaces := []string{""}
		if t.seqera.workspace != 0 {
			workspaces = []string{strconv.FormatInt(t.seqera.workspace, 10)}
		}
		if len(c.Workspace) > 0 {
			workspaces = workspaces[:0]
			for _, w := range c.Workspace {
				workspaces = append(workspaces, strconv.FormatInt(w, 10))
			}
		}
		p, err := connectSeqera(env, c.ConnFlags, t, workspaces, false)
		if err != nil {
			return err
		}
		providers = append(providers, p)
	}
	live, err := snapshots(ctx, providers, nil)
	if err != nil {
		return err
	}
	var units export.Namer
	if !c.IDs && rc != nil {
		if units, err = exportUnits(ctx, rc, live); err != nil {
			return err
		}
	}
	docs, err := export.Objects(live, units, opts)
	if err != nil {
		return err
	}
	return writeExport(env, docs, opts.SopsFile)
}

// exportOptions reads --secrets: env, or sops:FILE with a file SOPS reads.
func (c *ExportCmd) exportOptions() (export.Options, error) {
	if c.Secrets == "env" {
		return export.Options{}, nil
	}
	file, ok := strings.CutPrefix(c.Secrets, "sops:")
	switch ext := strings.ToLower(filepath.Ext(file)); {
	case !ok || file == "":
		return export.Options{}, fmt.Errorf("--secrets %q: give env, or sops:FILE (sops:secrets.enc.yaml)", c.Secrets)
	case ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".env":
		return export.Options{}, fmt.Errorf("--secrets %s: the SOPS file must end in .yaml, .yml, .json or .env", c.Secrets)
	}
	return export.Options{SopsFile: file}, nil
}

// writeExport prints the documents as YAML, each with a comment naming the
// variables its secret fields read, and lists them all on standard error.
func writeExport(env *Env, docs []export.Document, sopsFile string) error {
	var b strings.Builder
	var vars []export.Var
	if sopsFile == "" {
		b.WriteString("# Exported by runai-sync export. Secret values cannot be read from the API:\n# each secret field reads the environment variable named in the comment above it.\n")
	} else {
		fmt.Fprintf(&b, "# Exported by runai-sync export. Secret values cannot be read from the API:\n# each secret field reads the key of %s named in the comment above it.\n", sopsFile)
	}
	for _, d := range docs {
		y, err := d.YAML()
		if err != nil {
			return err
		}
		b.WriteString("---\n")
		for _, v := range d.Vars {
			if sopsFile != "" {
				fmt.Fprintf(&b, "# %s reads key %s of %s\n", v.Field, v.Name, sopsFile)
				continue
			}
			fmt.Fprintf(&b, "# %s reads $%s\n", v.Field, v.Name)
		}
		for _, v := range d.Optional {
			ref := "{fromEnv: " + v.Name + "}"
			if sopsFile != "" {
				ref = "{fromSops: {file: " + sopsFile + ", key: " + v.Name + "}}"
			}
			fmt.Fprintf(&b, "# %s is optional and left out: Seqera does not show whether it is set. If it is, add\n#   %s: %s\n# or the next update, which sends every key, clears it.\n",
				v.Field, v.Field[strings.LastIndex(v.Field, ".")+1:], ref)
		}
		b.Write(y)
		vars = append(vars, d.Vars...)
	}
	if _, err := fmt.Fprint(env.Stdout, b.String()); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "Exported %s.", plural(len(docs), "object"))
	if len(vars) > 0 {
		names := make([]string, len(vars))
		for i, v := range vars {
			names[i] = v.Name
		}
		if sopsFile != "" {
			fmt.Fprintf(env.Stderr, " Add these keys with the secret values to %s (sops edit %s) before plan: %s.", sopsFile, sopsFile, strings.Join(names, " "))
		} else {
			fmt.Fprintf(env.Stderr, " Set these variables to the secret values before plan: %s.", strings.Join(names, " "))
		}
	}
	fmt.Fprintln(env.Stderr)
	return nil
}
