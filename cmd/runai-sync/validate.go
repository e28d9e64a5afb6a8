package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// ValidateCmd checks manifests offline.
type ValidateCmd struct {
	ManifestFlags
	TenantFlags
}

// Help describes the checks.
func (c *ValidateCmd) Help() string {
	return `Validate works offline: it checks every document against the JSON Schema, then
the set as a whole (duplicate names, scope ids, references between resources,
ownership rules). It checks the shape of secret references only: it does not
read fromEnv variables or fromFile files, decrypt fromSops files or run
fromCommand programs; plan and apply do, before changing anything.

Every problem is reported in one run, as file:line:col: field.path: message.
Exit status: 0 valid (warnings allowed), 1 invalid.

  runai-sync validate -f manifests/`
}

// Run validates, for each selected tenant of a tenants file (the file
// itself is checked first).
func (c *ValidateCmd) Run(ctx context.Context, env *Env, g *Globals) error {
	return c.TenantFlags.run(ctx, env, g, tenantRun{files: c.Files, output: "text", offline: true,
		run: func(_ context.Context, env *Env, t *tenant) (*diff.Plan, error) { return nil, c.validate(env, t) }})
}

// validate checks the manifests of one tenant.
func (c *ValidateCmd) validate(env *Env, t *tenant) error {
	set, diags := load(env, t)
	printDiagnostics(env, diags)
	if diags.HasErrors() {
		return &ExitError{Code: 1, Err: fmt.Errorf("%s", plural(diags.Errors(), "error"))}
	}
	_, err := fmt.Fprintf(env.Stdout, "%s valid%s\n", plural(len(set.Resources)+len(set.Ownerships), "document"), warnings(diags))
	return err
}

// load reads and validates the tenant's manifests.
func load(env *Env, t *tenant) (*manifest.Set, manifest.Diagnostics) {
	return schema.LoadWith(t.loader(env), t.files...)
}

func printDiagnostics(env *Env, diags manifest.Diagnostics) {
	red, yellow := env.colorize(color.FgRed), env.colorize(color.FgYellow)
	for _, d := range diags {
		line := d.String()
		if d.Severity == manifest.SeverityWarning {
			line = yellow(line)
		} else {
			line = red(line)
		}
		_, _ = io.WriteString(env.Stderr, line+"\n")
	}
}

func warnings(diags manifest.Diagnostics) string {
	n := len(diags) - diags.Errors()
	if n == 0 {
		return ""
	}
	return " (" + plural(n, "warning") + ")"
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
