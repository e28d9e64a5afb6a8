package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
)

// Text renders a plan for people, Terraform-like: + create, ~ update in
// place, -/+ replace, - delete; grouped by kind and scope; each change with
// its reason; ending with the summary line.
type Text struct {
	// Color paints the markers (only on a terminal, never with NO_COLOR).
	Color bool
	// Heading is the first line, e.g. "runai-sync will perform these actions:".
	Heading string
	// NoChanges is printed instead when nothing changes.
	NoChanges string
}

func (t *Text) paint(attrs ...color.Attribute) func(string) string {
	c := color.New(attrs...)
	if t.Color {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return func(s string) string { return c.Sprint(s) }
}

// Render writes the plan.
func (t *Text) Render(w io.Writer, p *Plan) error {
	var b strings.Builder
	green, yellow, red, dim, bold := t.paint(color.FgGreen), t.paint(color.FgYellow), t.paint(color.FgRed), t.paint(color.Faint), t.paint(color.Bold)
	mark := map[Action]func(string) string{Create: green, Update: yellow, Replace: red, Delete: red}
	groups := groupChanges(p)
	if len(groups) == 0 {
		msg := t.NoChanges
		if msg == "" {
			msg = "No changes: the live state matches the manifests."
		}
		fmt.Fprintln(&b, bold(msg))
	} else {
		heading := t.Heading
		if heading == "" {
			heading = "runai-sync will perform these actions:"
		}
		fmt.Fprintln(&b, heading)
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "\n%s\n", bold(g.title))
		for i, c := range g.changes {
			if isUnder(c.Key) {
				// Under its owner's line (an access rule under its
				// account): the owner's change, or its name when only what
				// is under it changes.
				if i == 0 || g.changes[i-1].Key.Name != c.Key.Name {
					fmt.Fprintf(&b, "    %s\n", c.Key.Name)
				}
				t.writeUnder(&b, p, c, mark[c.Action], dim)
				continue
			}
			line := fmt.Sprintf("%3s %s", c.Action.Symbol(), label(c.Key))
			if c.ID != "" {
				line += dim("  (id " + c.ID + ")")
			}
			fmt.Fprintln(&b, mark[c.Action](line))
			if c.Reason != "" && c.Action != Create {
				fmt.Fprintf(&b, "      %s\n", dim("reason: "+c.Reason))
			}
			writeFields(&b, c, mark)
			for _, n := range c.Notes {
				fmt.Fprintf(&b, "      %s\n", dim("note: "+n))
			}
		}
	}
	if hs := p.Health(); len(hs) > 0 {
		fmt.Fprintf(&b, "\n%s\n", red(bold("Unhealthy: the API reports these do not work:")))
		for _, h := range hs {
			fmt.Fprintf(&b, "  %s %s\n", red("!"), healthLine(h))
		}
	}
	if len(p.Refusals) > 0 {
		fmt.Fprintf(&b, "\n%s\n", red(bold("Refused: nothing will be applied while these stand:")))
		for _, r := range p.Refusals {
			fmt.Fprintf(&b, "  %s %s\n", red("x"), r.Message+" (lift with "+r.Lift+")")
		}
	}
	if len(p.Notes) > 0 {
		fmt.Fprintf(&b, "\nNotes:\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  * %s\n", n)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", bold(SummaryLine(p.Summary())))
	_, err := io.WriteString(w, b.String())
	return err
}

// writeUnder writes the change of an object under another's (an access
// rule under its account):
// "      + access rule ML engineer on project team-a (12)", with the id of a
// live rule and the reason of a delete.
func (t *Text) writeUnder(b *strings.Builder, p *Plan, c *Change, paint, dim func(string) string) {
	line := fmt.Sprintf("      %s %s", c.Action.Symbol(), underLabel(p, c.Key))
	if c.ID != "" {
		line += dim("  (id " + c.ID + ")")
	}
	fmt.Fprintln(b, paint(line))
	if c.Reason != "" && c.Action != Create {
		fmt.Fprintf(b, "          %s\n", dim("reason: "+c.Reason))
	}
	for _, n := range c.Notes {
		fmt.Fprintf(b, "          %s\n", dim("note: "+n))
	}
}

// healthLine describes an unhealthy object: its key, id, status and why.
func healthLine(h Health) string {
	s := h.Key.String()
	if h.ID != "" {
		s += " (id " + h.ID + ")"
	}
	s += ": " + h.Status
	if h.Message != "" {
		s += ": " + h.Message
	}
	return s
}

// writeFields lists the changed fields with aligned "=" signs.
func writeFields(b *strings.Builder, c *Change, mark map[Action]func(string) string) {
	if c.Action == Delete {
		return
	}
	width := 0
	for _, f := range c.Fields {
		width = max(width, len(f.Path))
	}
	for _, f := range c.Fields {
		sym, value, paint := "~", f.Before+" -> "+f.After, mark[Update]
		switch {
		case f.Before == "" || c.Action == Create:
			sym, value, paint = "+", f.After, mark[Create]
		case f.After == "":
			sym, value, paint = "-", f.Before, mark[Delete]
		}
		line := fmt.Sprintf("      %s %-*s = %s", sym, width, f.Path, value)
		if f.ForcesReplace && c.Action == Replace {
			line += " # forces replacement"
		}
		fmt.Fprintln(b, paint(line))
	}
}
