package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/runai-sync/runai-sync/internal/markdown"
	"github.com/runai-sync/runai-sync/manifest"
)

// FormatVersion is the version of the JSON audit format
// (audit-output.schema.json); it changes only when a field changes meaning
// or goes away.
const FormatVersion = "1"

// Report is an audit's findings with the thresholds they were found with.
type Report struct {
	Findings             []Finding
	MaxKeyAge, UnusedFor time.Duration
}

// View renders a report.
type View interface {
	Render(w io.Writer, r Report) error
}

var (
	_ View = Text{}
	_ View = JSON{}
	_ View = Markdown{}
)

// Text renders findings for people: one line each, then a summary.
type Text struct{}

// Render writes the text report.
func (Text) Render(w io.Writer, r Report) error {
	if len(r.Findings) == 0 {
		_, err := fmt.Fprintln(w, "Audit: no findings.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range r.Findings {
		obj := f.Object()
		if f.ID != "" {
			obj += " (id " + f.ID + ")"
		}
		if f.Pos.File != "" {
			obj = f.Pos.String() + ": " + obj
		}
		fmt.Fprintf(tw, "%s\t%s\t%s: %s\n", f.Severity, f.Check, obj, f.Message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nAudit: %s.\n", summary(r.Findings))
	return err
}

// summary is "3 findings: 1 critical, 1 warning, 1 info".
func summary(fs []Finding) string {
	c := CountOf(fs)
	n := "findings"
	if len(fs) == 1 {
		n = "finding"
	}
	return fmt.Sprintf("%d %s: %d critical, %d warning, %d info", len(fs), n, c.Critical, c.Warning, c.Info)
}

// JSON renders the report for programs (audit-output.schema.json).
type JSON struct{}

type jsonReport struct {
	FormatVersion string         `json:"formatVersion"`
	Findings      []jsonFinding  `json:"findings"`
	Summary       Counts         `json:"summary"`
	Thresholds    jsonThresholds `json:"thresholds"`
}

type jsonThresholds struct {
	MaxKeyAge string `json:"maxKeyAge"`
	UnusedFor string `json:"unusedFor"`
}

type jsonFinding struct {
	Check        string   `json:"check"`
	Severity     Severity `json:"severity"`
	Kind         string   `json:"kind"`
	Type         string   `json:"type,omitempty"`
	Name         string   `json:"name"`
	Provider     string   `json:"provider,omitempty"`
	ID           string   `json:"id,omitempty"`
	Scope        string   `json:"scope,omitempty"`
	ProjectID    *int64   `json:"projectId,omitempty"`
	DepartmentID string   `json:"departmentId,omitempty"`
	ClusterID    string   `json:"clusterId,omitempty"`
	WorkspaceID  *int64   `json:"workspaceId,omitempty"`
	CreatedBy    string   `json:"createdBy,omitempty"`
	File         string   `json:"file,omitempty"`
	Line         int      `json:"line,omitempty"`
	Column       int      `json:"column,omitempty"`
	Path         string   `json:"path,omitempty"`
	Message      string   `json:"message"`
}

// Render writes one indented JSON object.
func (JSON) Render(w io.Writer, r Report) error {
	out := jsonReport{FormatVersion: FormatVersion, Findings: []jsonFinding{}, Summary: CountOf(r.Findings),
		Thresholds: jsonThresholds{MaxKeyAge: Duration(r.MaxKeyAge).String(), UnusedFor: Duration(r.UnusedFor).String()}}
	for _, f := range r.Findings {
		j := jsonFinding{Check: f.Check, Severity: f.Severity, Kind: string(f.Key.Kind), Type: f.Key.Type, Name: f.Key.Name,
			Provider: f.Provider, ID: f.ID, Scope: f.Key.Scope, File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Column, Path: f.Path, Message: f.Message}
		num := func() *int64 {
			if n, err := strconv.ParseInt(f.Key.ScopeID, 10, 64); err == nil {
				return &n
			}
			return nil
		}
		switch f.Key.Scope {
		case manifest.ScopeProject:
			j.ProjectID = num()
		case manifest.ScopeDepartment:
			j.DepartmentID = f.Key.ScopeID
		case manifest.ScopeCluster:
			j.ClusterID = f.Key.ScopeID
		case manifest.ScopeWorkspace:
			j.WorkspaceID = num()
		case "user":
			j.CreatedBy = f.Key.ScopeID
		}
		out.Findings = append(out.Findings, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Markdown renders the report for a pull-request comment or an issue.
type Markdown struct{}

// Render writes a heading, a summary and a table of findings.
func (Markdown) Render(w io.Writer, r Report) error {
	var b strings.Builder
	b.WriteString("### runai-sync audit\n\n")
	if len(r.Findings) == 0 {
		b.WriteString("No findings.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%s (max key age %s, unused for %s).\n\n", summary(r.Findings), Duration(r.MaxKeyAge), Duration(r.UnusedFor))
	b.WriteString("| Severity | Check | Object | Message |\n| --- | --- | --- | --- |\n")
	for _, f := range r.Findings {
		obj := f.Object()
		if f.Pos.File != "" {
			obj += " at " + f.Pos.String()
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Severity, markdown.Code(f.Check), markdown.Cell(obj), markdown.Cell(f.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
