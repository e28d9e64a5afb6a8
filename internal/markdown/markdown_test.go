package markdown

import "testing"

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"team-a":                          "team-a",
		"spec.keyValuePairs.AWS_KEY":      "spec.keyValuePairs.AWS_KEY",
		"a | b":                           `a \| b`,
		"line\nbreak\r\nand\rmore":        "line break and more",
		"[click](https://evil.example)":   `\[click\](https://evil.example)`,
		"![img](https://evil.example/x)":  `!\[img\](https://evil.example/x)`,
		"<!-- hide the rest":              "&lt;!-- hide the rest",
		"`code` and a \\ backslash":       "\\`code\\` and a \\\\ backslash",
		`already \| escaped`:              `already \\\| escaped`,
		"<img src=x onerror=alert(1)>":    "&lt;img src=x onerror=alert(1)&gt;",
		"name\\](https://evil.example) [": `name\\\](https://evil.example) \[`,
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"ci-pipeline":      "`ci-pipeline`",
		"a`b":              "``a`b``",
		"a``b`":            "``` a``b` ```",
		"`x":               "`` `x ``",
		"a|b":              "`a\\|b`",
		"two\nlines":       "`two lines`",
		"<!-- no html -->": "`<!-- no html -->`",
	} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %q, want %q", in, got, want)
		}
	}
}
