package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/markdown"
)

// reportTenants writes the results of several tenants in the order of the
// tenants file (text: each tenant's output under its header; json: one
// object; markdown: a table of tenants, then a section each), their
// diagnostics and errors on standard error under the same headers, and
// returns the error of the worst exit code.
func reportTenants(env *Env, results []*tenantResult, r tenantRun) error {
	var err error
	switch r.output {
	case "json":
		err = tenantsJSON(env.Stdout, results, cmp.Or(r.jsonKey, "plan"))
	case "markdown":
		err = tenantsMarkdown(env.Stdout, results, r.title, r.exit2)
	default:
		for i, res := range results {
			if i > 0 {
				fmt.Fprintln(env.Stdout)
			}
			fmt.Fprintln(env.Stdout, r.header(res.name, res.url))
			_, err = env.Stdout.Write(res.stdout.Bytes())
		}
	}
	for _, res := range results {
		var b bytes.Buffer
		b.Write(res.stderr.Bytes())
		if res.err != nil {
			report(&b, res.err)
		}
		if b.Len() > 0 {
			fmt.Fprintf(env.Stderr, "== tenant %s (%s)\n", res.name, res.url)
			_, _ = env.Stderr.Write(b.Bytes())
		}
	}
	if err != nil {
		return err
	}
	return tenantsExit(results, r.exit2)
}

// tenantJSON is one tenant of the JSON report: name, url, the tenant's
// own JSON output under key (when it printed one), and error.
type tenantJSON struct {
	Name, URL, Key string
	Output         json.RawMessage
	Error          string
}

// MarshalJSON writes the fields in that order.
func (t tenantJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	field := func(k string, v any) {
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('{')
	field("name", t.Name)
	field("url", t.URL)
	if t.Output != nil {
		field(t.Key, t.Output)
	}
	if t.Error != "" {
		field("error", t.Error)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// tenantsJSON writes {"formatVersion":"1","tenants":[…]}: each tenant's
// plan (key) is the object the command prints for one tenant.
func tenantsJSON(w io.Writer, results []*tenantResult, key string) error {
	out := struct {
		FormatVersion string       `json:"formatVersion"`
		Tenants       []tenantJSON `json:"tenants"`
	}{FormatVersion: "1", Tenants: []tenantJSON{}}
	for _, res := range results {
		t := tenantJSON{Name: res.name, URL: res.url, Key: key}
		if out := bytes.TrimSpace(res.stdout.Bytes()); len(out) > 0 && json.Valid(out) {
			t.Output = json.RawMessage(out)
		}
		if res.code == 1 {
			t.Error = errorText(res.err)
		}
		out.Tenants = append(out.Tenants, t)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// errorText is what the report says of a failed tenant.
func errorText(err error) string {
	var b bytes.Buffer
	report(&b, err)
	if s := strings.TrimSpace(strings.TrimPrefix(b.String(), "Error: ")); s != "" {
		return s
	}
	return "failed (see the diagnostics on standard error)"
}

// Sizes of the Markdown report: a pull-request comment holds at most 65,536
// characters; a tenant with more changes than foldAfter is folded.
const (
	markdownBudget = 60_000
	foldAfter      = 15
)

// tenantsMarkdown writes a pull-request comment: a table of the tenants
// with their counts, then a section per tenant (folded in <details> when
// long; cut short, pointing at the job log, once the comment is full).
func tenantsMarkdown(w io.Writer, results []*tenantResult, title, exit2 string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s: %s\n\n", title, plural(len(results), "tenant"))
	b.WriteString("| Tenant | Create | Update | Replace | Delete | Unchanged | Unhealthy | Status |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, res := range results {
		if res.plan == nil {
			word := map[int]string{0: "ok", 1: "failed", 2: cmp.Or(exit2, "exit 2")}[res.code]
			fmt.Fprintf(&b, "| %s | | | | | | | %s |\n", markdown.Code(res.name), word)
			continue
		}
		s := res.plan.Summary()
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %s |\n", markdown.Code(res.name), s.Create, s.Update, s.Replace, s.Delete, s.Unchanged, len(res.plan.Health()), status(res, exit2))
	}
	b.WriteString("\n")
	for _, res := range results {
		section := tenantSection(res)
		if b.Len()+len(section) > markdownBudget {
			section = fmt.Sprintf("### %s\n\nToo long for this comment: see the job's log for this tenant's plan.\n\n", markdown.Cell(fmt.Sprintf("tenant %s (%s)", res.name, res.url)))
		}
		b.WriteString(section)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// status is a tenant's word in the summary table.
func status(res *tenantResult, exit2 string) string {
	switch {
	case res.plan.Refused():
		return "refused"
	case res.code == 1:
		return "failed"
	case res.plan.HasChanges():
		return plural(len(res.plan.Actionable()), "change")
	case res.code == 2 && exit2 != "":
		return exit2 // drift of health alone
	}
	return "no changes"
}

// tenantSection is one tenant's part of the Markdown report.
func tenantSection(res *tenantResult) string {
	heading := fmt.Sprintf("tenant %s (%s)", res.name, res.url)
	var b strings.Builder
	switch {
	case res.plan == nil && res.code == 1:
		fmt.Fprintf(&b, "### %s\n\n**Failed:**\n\n```\n%s\n```\n\n", markdown.Cell(heading), strings.ReplaceAll(errorText(res.err), "```", "'''"))
		return b.String()
	case res.plan == nil:
		// A command without a plan (audit): its own Markdown, under a heading.
		fmt.Fprintf(&b, "### %s\n\n%s\n", markdown.Cell(heading), res.stdout.String())
		return b.String()
	}
	var body strings.Builder
	if err := (&diff.Markdown{Title: heading}).Render(&body, res.plan); err != nil {
		return fmt.Sprintf("### %s\n\n%s\n\n", markdown.Cell(heading), markdown.Cell(err.Error()))
	}
	if n := len(res.plan.Actionable()); n > foldAfter {
		fmt.Fprintf(&b, "<details><summary><b>%s</b>: %s</summary>\n\n%s\n</details>\n\n", markdown.Cell(heading), plural(n, "change"), body.String())
	} else {
		b.WriteString(body.String())
		b.WriteString("\n")
	}
	if res.code == 1 {
		fmt.Fprintf(&b, "**Failed:**\n\n```\n%s\n```\n\n", strings.ReplaceAll(errorText(res.err), "```", "'''"))
	}
	return b.String()
}
