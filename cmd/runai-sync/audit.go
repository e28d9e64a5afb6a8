package main

import (
	"context"
	"fmt"
	"time"

	"github.com/runai-sync/runai-sync/audit"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/runai"
	"github.com/runai-sync/runai-sync/seqera"
	"github.com/runai-sync/runai-sync/state"
)

// AuditCmd reports hygiene findings.
type AuditCmd struct {
	Files []string `short:"f" name:"filename" sep:"none" placeholder:"PATH" help:"Manifests (files or directories) to add the manifest checks: literal secrets, managed objects missing from the live state, state records of objects that are gone. Without -f only the live state is audited."`
	TenantFlags
	ConnFlags
	MetricsFlags
	MaxKeyAge audit.Duration `name:"max-key-age" default:"90d" placeholder:"AGE" help:"Report access keys older than this (e.g. 90d, 2w, 36h)."`
	UnusedFor audit.Duration `name:"unused-for" default:"30d" placeholder:"AGE" help:"Report service accounts and access keys not used for longer than this (or never, once older than this)."`
	FailOn    string         `name:"fail-on" enum:"info,warning,critical" default:"warning" help:"Exit 2 when a finding is at least this severe: info, warning or critical."`
	Output    string         `short:"o" enum:"text,json,markdown" default:"text" help:"Output format: text, json (audit-output.schema.json) or markdown."`
}

// Help describes audit.
func (c *AuditCmd) Help() string {
	return `Audit reads the live state and reports hygiene findings, each with a check,
a severity (info, warning, critical), the object and a message: access keys of
any user older than --max-key-age or unused for --unused-for; service accounts
unused for --unused-for, and disabled ones that credentials still take;
credentials nothing uses; credentials whose sync status is Failed, Issues found
or Deletion failed. With -f also: literal secrets in the manifests, managed
objects missing from the live state, state records of objects that are gone.

With a tenants file, --tenant NAME or --all-tenants audits those tenants, each
with its manifests (so with the manifest checks).

Exit status: 0 when nothing reaches --fail-on, 2 when something does, 1 error.

  runai-sync audit --max-key-age 60d -o json > audit.json`
}

// Run audits.
func (c *AuditCmd) Run(ctx context.Context, env *Env, g *Globals) (err error) {
	defer c.observe(ctx, env, "audit", time.Now(), &err)
	failOn, err := audit.ParseSeverity(c.FailOn)
	if err != nil {
		return err
	}
	return c.TenantFlags.run(ctx, env, g, tenantRun{files: c.Files, noManifests: true, output: c.Output, title: "runai-sync audit",
		exit2: "findings", jsonKey: "audit",
		run: func(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error) {
			return nil, c.audit(ctx, env, t, failOn)
		}})
}

// audit audits one tenant: its live state, and with manifests (-f, or the
// tenant's in a tenants file) the manifest checks.
func (c *AuditCmd) audit(ctx context.Context, env *Env, t *tenant, failOn audit.Severity) (err error) {
	in := audit.Input{MaxKeyAge: time.Duration(c.MaxKeyAge), UnusedFor: time.Duration(c.UnusedFor)}
	client, err := t.runaiClient(env, c.ConnFlags)
	if err != nil {
		return err
	}
	providers := []provider{runai.NewProviderScoped(client, runai.Scope{Credentials: true, ServiceAccounts: true, AccessKeys: true, AccessRules: true, ForeignAccessKeys: true})}
	if len(t.files) > 0 {
		set, diags := load(env, t)
		printDiagnostics(env, onlyErrors(diags))
		if diags.HasErrors() {
			return &ExitError{Code: 1, Err: fmt.Errorf("%s in the manifests", plural(diags.Errors(), "error"))}
		}
		// Keys of manifests by name must use ids to meet the live objects.
		if _, err := resolveOrgUnits(ctx, env, set, client, nil, nil); err != nil {
			return err
		}
		in.Set = set
		if ws := seqera.Workspaces(set); ws != nil {
			p, err := connectSeqera(env, c.ConnFlags, t, ws, false)
			if err != nil {
				return err
			}
			providers = append(providers, p)
		}
		scope := tenantScope(t, set)
		if t.url != "" { // audit reads Run:ai whatever the manifests hold
			scope[runai.ProviderName] = state.Tenant(t.url)
		}
		st, err := openState(ctx, env, t.state, sessionOptions{allowHosts: c.AllowHost}, scope)
		if err != nil {
			return err
		}
		if st != nil {
			for _, e := range st.data.Sorted() {
				in.Records = append(in.Records, audit.Record{Key: e.Key, Provider: e.Provider, ID: e.ID})
			}
			st.close(env)
		}
	}
	for _, p := range providers {
		in.Providers = append(in.Providers, p.Name())
	}
	if in.Live, err = snapshots(ctx, providers, nil); err != nil {
		return err
	}
	in.Now = time.Now()
	report := audit.Report{Findings: audit.Run(in), MaxKeyAge: in.MaxKeyAge, UnusedFor: in.UnusedFor}
	env.observe(t.name, auditOutcome{live: in.Live, findings: report.Findings})
	if err := auditView(c.Output).Render(env.Stdout, report); err != nil {
		return err
	}
	if audit.Reaches(report.Findings, failOn) {
		return &ExitError{Code: 2, Err: fmt.Errorf("audit: %s at or above %s", plural(len(atLeast(report.Findings, failOn)), "finding"), failOn)}
	}
	return nil
}

// onlyErrors keeps the errors of the manifests: audit reports literal
// secrets itself, so validate's warnings would say it twice.
func onlyErrors(ds manifest.Diagnostics) manifest.Diagnostics {
	var out manifest.Diagnostics
	for _, d := range ds {
		if d.Severity != manifest.SeverityWarning {
			out = append(out, d)
		}
	}
	return out
}

func atLeast(fs []audit.Finding, min audit.Severity) []audit.Finding {
	var out []audit.Finding
	for _, f := range fs {
		if f.Severity >= min {
			out = append(out, f)
		}
	}
	return out
}

// auditView picks the renderer of -o.
func auditView(output string) audit.View {
	switch output {
	case "json":
		return audit.JSON{}
	case "markdown":
		return audit.Markdown{}
	}
	return audit.Text{}
}
