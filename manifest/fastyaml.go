package manifest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// The plain subset of YAML that manifests are mostly written in (block
// mappings and sequences, one-line flow collections, plain and simple
// quoted scalars, comments) is read by a small parser here, straight into
// the documents' values, six times faster than go.yaml.in/yaml/v3 and its
// node trees. It answers only when it is sure to agree with that
// parser: on anything else (anchors, tags, multi-line or escaped scalars,
// tabs, non-ASCII text, numbers other than plain integers, duplicate keys,
// odd indentation, errors of any kind) it declines and the file goes
// through yaml/v3 as before, which also gives every message and position
// (positions are found by parsing again, only for a diagnostic).
// TestFastYAMLAgrees and FuzzFastYAML compare the two.

// fastDoc is one document read by the fast parser.
type fastDoc struct {
	value any
	line  int // where its content starts (column 1)
}

// The fast parser's limits stay well inside the loader's, so that a
// document near them goes through yaml/v3 and its checks.
const (
	fastMaxDepth  = 20
	fastMaxValues = 10_000
	fastMaxKey    = 256
)

type fastLine struct {
	no     int    // line number, from 1
	indent int    // spaces before text
	text   string // without the indentation; never empty or a comment
}

type fastParser struct {
	lines  []fastLine
	pos    int
	vars   *Vars
	values int
}

// declined is the fast parser's only answer to anything it does not
// handle; it never leaves this file.
type declined struct{}

// fastDocuments reads text (already checked as UTF-8 without NUL) if it is
// in the plain subset; ok is false otherwise.
func fastDocuments(text string, vars *Vars) (docs []fastDoc, ok bool) {
	for i := 0; i < len(text); i++ {
		if b := text[i]; b >= 0x80 || b < 0x20 && b != '\n' || b == 0x7f {
			return nil, false // tabs, CR, controls, and non-ASCII go to yaml/v3
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(declined); !is {
				panic(r)
			}
			docs, ok = nil, false
		}
	}()
	var current []fastLine
	flush := func() {
		if len(current) > 0 {
			p := &fastParser{lines: current, vars: vars}
			docs = append(docs, fastDoc{value: p.document(), line: current[0].no})
			if len(docs) > MaxDocuments {
				decline()
			}
		}
		current = current[:0] // the values hold no line: the next document reuses them
	}
	no := 0
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		line := strings.TrimRight(text[start:end], " ")
		start, no = end+1, no+1
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case line == "---":
			flush()
		case trimmed == "" || trimmed[0] == '#':
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "..."), line[0] == '%':
			decline() // a marker with content, a document end, a directive
		default:
			current = append(current, fastLine{no: no, indent: len(line) - len(trimmed), text: trimmed})
		}
	}
	flush()
	return docs, true
}

func decline() { panic(declined{}) }

// document reads one document: a block mapping starting at column 1.
func (p *fastParser) document() any {
	first := p.lines[0]
	if first.indent != 0 || isEntry(first.text) || first.text[0] == '{' || first.text[0] == '[' {
		decline()
	}
	v := p.mapping(0, 0)
	if p.pos != len(p.lines) {
		decline()
	}
	return v
}

func isEntry(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

func (p *fastParser) count(depth int) {
	if p.values++; p.values > fastMaxValues || depth > fastMaxDepth {
		decline()
	}
}

// block reads the value of a key or an entry given on the lines below it:
// a mapping or sequence more indented than parent, or a sequence at its
// own indentation under a key; nil when there is none.
func (p *fastParser) block(parent int, underKey bool, depth int) any {
	if p.pos == len(p.lines) {
		return nil
	}
	l := p.lines[p.pos]
	switch {
	case l.indent > parent && isEntry(l.text):
		return p.sequence(l.indent, depth)
	case l.indent > parent:
		return p.mapping(l.indent, depth)
	case l.indent == parent && underKey && isEntry(l.text):
		return p.sequence(l.indent, depth)
	}
	return nil
}

// mapping reads the keys at indent.
func (p *fastParser) mapping(indent, depth int) map[string]any {
	p.count(depth)
	out := map[string]any{}
	for p.pos < len(p.lines) {
		l := p.lines[p.pos]
		if l.indent < indent {
			break
		}
		if l.indent > indent || isEntry(l.text) {
			decline()
		}
		key, rest := splitKey(l.text)
		if _, dup := out[key]; dup {
			decline()
		}
		p.pos++
		var v any
		if rest == "" {
			v = p.block(indent, true, depth+1)
		} else {
			v = p.inline(rest, depth+1)
			if p.pos < len(p.lines) && p.lines[p.pos].indent > indent {
				decline() // a plain scalar going on below, or an error
			}
		}
		out[internKey(key)] = v
	}
	return out
}

// sequence reads the entries at indent.
func (p *fastParser) sequence(indent, depth int) []any {
	p.count(depth)
	out := make([]any, 0, 4)
	for p.pos < len(p.lines) {
		l := p.lines[p.pos]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			decline()
		}
		if !isEntry(l.text) {
			break // the next key of the mapping this sequence is the value of
		}
		rest := strings.TrimLeft(l.text[1:], " ")
		switch {
		case rest == "" || rest[0] == '#':
			p.pos++
			out = append(out, p.block(indent, false, depth+1))
		case isEntry(rest):
			decline()
		case hasKey(rest):
			// "- key: value": a mapping whose keys line up with this one.
			p.lines[p.pos] = fastLine{no: l.no, indent: indent + len(l.text) - len(rest), text: rest}
			out = append(out, p.mapping(p.lines[p.pos].indent, depth+1))
		default:
			p.pos++
			out = append(out, p.inline(rest, depth+1))
			if p.pos < len(p.lines) && p.lines[p.pos].indent > indent {
				decline()
			}
		}
	}
	return out
}

// hasKey reports whether a line holds "key:" or "key: ..." with a key in
// the subset.
func hasKey(text string) bool {
	i := keyEnd(text)
	return i > 0 && (i+1 == len(text) || text[i+1] == ' ')
}

// keyEnd returns the length of the plain key at the start of text (letters,
// digits, _ . / $ and -, not first; at most fastMaxKey of them: YAML
// limits a simple key to 1024), if a ':' follows it, else 0.
func keyEnd(text string) int {
	for i := 0; i < len(text) && i <= fastMaxKey; i++ {
		c := text[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '/', c == '$':
		case c == '-' && i > 0:
		case c == ':':
			return i
		default:
			return 0
		}
	}
	return 0
}

// splitKey splits "key: rest" (rest trimmed, "" when only a comment).
func splitKey(text string) (key, rest string) {
	if !hasKey(text) {
		decline()
	}
	i := keyEnd(text)
	rest = strings.TrimLeft(text[i+1:], " ")
	if rest != "" && rest[0] == '#' {
		rest = ""
	}
	return text[:i], rest
}

// inline reads a value given on its key's line: a one-line flow collection,
// a quoted scalar or a plain one, then at most a comment.
func (p *fastParser) inline(text string, depth int) any {
	switch text[0] {
	case '{', '[', '"', '\'':
		v, rest := p.flow(text, depth)
		if rest != "" && (rest[0] != ' ' || strings.TrimLeft(rest, " ")[0] != '#') {
			decline() // more than a comment after the value
		}
		return v
	}
	if i := strings.Index(text, " #"); i >= 0 {
		text = strings.TrimRight(text[:i], " ")
	}
	if strings.Contains(text, ": ") || strings.HasSuffix(text, ":") {
		decline()
	}
	p.count(depth)
	return p.plain(text)
}

// flow reads a quoted scalar or a flow collection at the start of text and
// returns what follows it.
func (p *fastParser) flow(text string, depth int) (any, string) {
	if text == "" {
		decline()
	}
	switch text[0] {
	case '"', '\'':
		end := strings.IndexByte(text[1:], text[0])
		if end < 0 {
			decline()
		}
		s := text[1 : end+1]
		rest := text[end+2:]
		if strings.IndexByte(s, '\\') >= 0 || rest != "" && rest[0] == text[0] {
			decline() // escapes, and '' inside single quotes
		}
		p.count(depth)
		return p.str(s), rest
	case '{':
		p.count(depth)
		out := map[string]any{}
		text = strings.TrimLeft(text[1:], " ")
		if text != "" && text[0] == '}' {
			return out, text[1:]
		}
		for {
			i := keyEnd(text)
			if i == 0 || i+1 == len(text) || text[i+1] != ' ' {
				decline()
			}
			key := text[:i]
			if _, dup := out[key]; dup {
				decline()
			}
			var v any
			v, text = p.flowValue(strings.TrimLeft(text[i+1:], " "), depth+1)
			out[internKey(key)] = v
			if text, ok := closes(text, '}'); ok {
				return out, text
			}
			text = next(text)
		}
	case '[':
		p.count(depth)
		out := make([]any, 0, 4)
		text = strings.TrimLeft(text[1:], " ")
		if text != "" && text[0] == ']' {
			return out, text[1:]
		}
		for {
			var v any
			v, text = p.flowValue(text, depth+1)
			out = append(out, v)
			if text, ok := closes(text, ']'); ok {
				return out, text
			}
			text = next(text)
		}
	}
	decline()
	return nil, ""
}

// closes reports whether text (after a value) closes its collection.
func closes(text string, c byte) (string, bool) {
	text = strings.TrimLeft(text, " ")
	if text != "" && text[0] == c {
		return text[1:], true
	}
	return text, false
}

// next skips the comma between two values of a flow collection; a trailing
// comma is left to yaml/v3.
func next(text string) string {
	if text == "" || text[0] != ',' {
		decline()
	}
	text = strings.TrimLeft(text[1:], " ")
	if text == "" || text[0] == '}' || text[0] == ']' || text[0] == ',' {
		decline()
	}
	return text
}

// flowValue reads one value inside a flow collection.
func (p *fastParser) flowValue(text string, depth int) (any, string) {
	if text == "" {
		decline()
	}
	switch text[0] {
	case '{', '[', '"', '\'':
		return p.flow(text, depth)
	}
	end := strings.IndexAny(text, ",[]{}:#?") // where yaml/v3 ends a plain scalar in a flow, or more
	if end <= 0 || text[end] != ',' && text[end] != '}' && text[end] != ']' {
		decline()
	}
	p.count(depth)
	return p.plain(strings.TrimRight(text[:end], " ")), text[end:]
}

// str is a quoted scalar: a string, variables substituted.
func (p *fastParser) str(s string) any {
	if p.vars != nil && strings.Contains(s, "${") {
		out, err := p.vars.Expand(s)
		if err != nil {
			decline()
		}
		s = out
	}
	if len(s) > MaxValueLength {
		decline()
	}
	return s
}

// plain types a plain scalar as yaml/v3 resolves it, for the forms that
// are surely read alike: strings that no rule of YAML types otherwise,
// true, false, null and decimal integers; variables are substituted first
// and the result typed again, as the converter does.
func (p *fastParser) plain(s string) any {
	if s == "" {
		decline()
	}
	switch s[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		decline() // an indicator: a plain scalar cannot start so, or starts a construct
	}
	v := resolvePlain(s)
	if str, ok := v.(string); ok && p.vars != nil && strings.Contains(str, "${") {
		out, err := p.vars.Expand(str)
		if err != nil || out == "" {
			decline()
		}
		v = resolvePlain(out)
	}
	if str, ok := v.(string); ok && len(str) > MaxValueLength {
		decline()
	}
	return v
}

// resolvePlain types a plain scalar (see plain); it declines what it is not
// sure of.
func resolvePlain(s string) any {
	switch s {
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	case "null", "Null", "NULL", "~", "":
		return nil
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '.':
		digits := strings.TrimPrefix(s, "-")
		if digits == "" || len(digits) > 18 || digits[0] == '0' && len(digits) > 1 {
			decline()
		}
		for i := 0; i < len(digits); i++ {
			if digits[i] < '0' || digits[i] > '9' {
				decline()
			}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			decline()
		}
		return json.Number(strconv.FormatInt(n, 10))
	}
	return s
}
