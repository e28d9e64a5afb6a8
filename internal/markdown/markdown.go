package markdown

import "strings"

// cell escapes what would break a table cell or start markup: pipes and
// line ends, the brackets of links and images, backticks, backslashes
// (so that none undoes an escape), and HTML as entities.
var cell = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "\r\n", " ", "\n", " ", "\r", " ",
	"[", `\[`, "]", `\]`, "`", "\\`", "<", "&lt;", ">", "&gt;",
)

// Cell returns s as plain text for a table cell or a list item.
func Cell(s string) string { return cell.Replace(s) }

// Code returns s as a code span for a table cell: fenced with one backtick
// more than the longest run in s, so that s cannot end it, padded with a
// space where s starts or ends with a backtick, pipes escaped (GitHub
// splits cells before it reads code spans) and line ends made spaces. An
// empty s is an empty string.
func Code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
