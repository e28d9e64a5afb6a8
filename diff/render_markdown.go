package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/runai-sync/runai-sync/internal/markdown"
)

// Markdown renders a plan for a pull-request comment: a summary table, the
// refusals and notes, a table of changes, and the full text plan in a
// collapsible block.
type Markdown struct {
	// Title heads the comment; default "runai-sync plan".
	Title string
}

// Render writes the comment.
func (m *Markdown) Render(w io.Writer, p *Plan) error {
	var b strings.Builder
	title := m.Title
	if title == "" {
		title = "runai-sync plan"
	}
	s := p.Summary()
	fmt.Fprintf(&b, "### %s\n\n", markdown.Cell(title))
	fmt.Fprintf(&b, "| Create | Update | Replace | Delete | Unchanged |\n|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %d |\n\n",
		s.Create, s.Update, s.Replace, s.Delete, s.Unchanged)
	if len(p.Refusals) > 0 {
		fmt.Fprintf(&b, "> [!CAUTION]\n> **Refused**: nothing will be applied while these stand.\n")
		for _, r := range p.Refusals {
			fmt.Fprintf(&b, "> - %s (lift with `%s`)\n", markdown.Cell(r.Message), r.Lift)
		}
		b.WriteString("\n")
	}
	if hs := p.Health(); len(hs) > 0 {
		fmt.Fprintf(&b, "> [!WARNING]\n> **Unhealthy**: the API reports these do not work.\n")
		for _, h := range hs {
			fmt.Fprintf(&b, "> - %s\n", markdown.Cell(healthLine(h)))
		}
		b.WriteString("\n")
	}
	if changes := p.Actionable(); len(changes) == 0 {
		b.WriteString("No changes: the live state matches the manifests.\n\n")
	} else {
		b.WriteString("| | Action | Object | Scope | Reason |\n|---|---|---|---|---|\n")
		for _, c := range changes {
			fmt.Fprintf(&b, "| %s | %s | %s %s | %s | %s |\n", mdSymbol(c.Action), c.Action, markdown.Cell(kindLabel(c)), markdown.Code(c.Key.Name),
				markdown.Cell(p.ScopeString(c.Key)), markdown.Cell(c.Reason))
		}
		b.WriteString("\n")
	}
	if len(p.Notes) > 0 {
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "- %s\n", markdown.Cell(n))
		}
		b.WriteString("\n")
	}
	var text strings.Builder
	if err := (&Text{}).Render(&text, p); err != nil {
		return err
	}
	fmt.Fprintf(&b, "<details><summary>Full plan</summary>\n\n```diff\n%s```\n\n</details>\n", diffFence(text.String()))
	_, err := io.WriteString(w, b.String())
	return err
}

func kindLabel(c *Change) string {
	if c.Key.Type != "" {
		return string(c.Key.Kind) + " " + c.Key.Type
	}
	return string(c.Key.Kind)
}

func mdSymbol(a Action) string {
	return map[Action]string{Create: "🟢", Update: "🟡", Replace: "🟠", Delete: "🔴"}[a]
}

// diffFence adds a one-character gutter so that a diff code block colours
// the text plan: "+" for creations, "-" for deletions, "!" for updates and
// replacements, " " for the rest.
func diffFence(text string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		gutter := " "
		switch trimmed := strings.TrimLeft(line, " "); {
		case strings.HasPrefix(trimmed, "-/+"), strings.HasPrefix(trimmed, "~"):
			gutter = "!"
		case strings.HasPrefix(trimmed, "+"):
			gutter = "+"
		case strings.HasPrefix(trimmed, "-"):
			gutter = "-"
		}
		b.WriteString(gutter + strings.ReplaceAll(line, "```", "'''"))
	}
	return b.String()
}
