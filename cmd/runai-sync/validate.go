package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fatih/color"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// ValidateCmd checks manifests offline.
type ValidateCmd struct {
	ManifestFlags
}

// Help describes the checks.
func (c *ValidateCmd) Help() string {
	return `Validate works offline: it checks every document against the JSON Schema, then
the set as a whole (duplicate names, scope ids, references between resources,
ownership rules). It does not check that fromEnv variables or fromFile files
exist: plan and apply do, before changing anything.

Every problem is reported in one run, as file:line:col: field.path: message.
Exit status: 0 valid (warnings allowed), 1 invalid.

  runai-sync validate -f manifests/`
}

// Run validates.
func (c *ValidateCmd) Run(env *Env) error {
	set, diags, err := load(env, c.Files)
	if err != nil {
		return err
	}
	printDiagnostics(env, diags)
	if diags.HasErrors() {
		return &ExitError{Code: 1, Err: fmt.Errorf("%s", plural(diags.Errors(), "error"))}
	}
	_, err = fmt.Fprintf(env.Stdout, "%s valid%s\n", plural(len(set.Resources)+len(set.Ownerships), "document"), warnings(diags))
	return err
}

// load reads and validates manifests, with standard input for "-" and the
// Seqera workspace of TOWER_WORKSPACE_ID for those that name none.
func load(env *Env, files []string) (*manifest.Set, manifest.Diagnostics, error) {
	l := manifest.Loader{Stdin: env.Stdin}
	if v := env.Getenv("TOWER_WORKSPACE_ID"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, nil, fmt.Errorf("TOWER_WORKSPACE_ID=%q: a Seqera workspace id is a positive number", v)
		}
		l.SeqeraWorkspace = id
	}
	set, diags := schema.LoadWith(l, files...)
	return set, diags, nil
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
