package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// Loader reads manifest files. The zero value reads from the file system,
// with standard input for the path "-".
type Loader struct {
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// SeqeraWorkspace, when not 0, is the workspace of the Seqera
	// credentials and selectors that name none (TOWER_WORKSPACE_ID); it is
	// filled in before the checks of the whole set, so that two documents
	// that end up with the same key are reported as duplicates.
	SeqeraWorkspace int64
	// Vars, when set, are substituted in string values (a tenant's).
	Vars *Vars
	// Each, when set, is called with every document that converted, as
	// soon as its file is read: on the goroutines that read files, several
	// at once (package schema validates there, while the document's value
	// is fresh, then drops it with DropValue).
	Each func(*Document)
}

// Read loads every document under paths with the default Loader.
func Read(paths ...string) ([]*Document, Diagnostics) { return Loader{}.Read(paths...) }

// Read loads every document under paths: files of any name, and in
// directories (recursively, skipping hidden entries) the files ending in
// .yaml, .yml or .json, in lexical order. Problems come back as diagnostics;
// documents that could be read are returned even when others could not.
func (l Loader) Read(paths ...string) ([]*Document, Diagnostics) {
	var diags Diagnostics
	var files []string
	seen := map[string]bool{}
	for _, p := range paths {
		found, err := expand(p)
		if err != nil {
			diags = append(diags, Diagnostic{Pos: Position{File: p, Line: 1, Column: 1}, Message: err.Error()})
			continue
		}
		for _, f := range found {
			if key := filepath.Clean(f); !seen[key] {
				seen[key] = true
				files = append(files, f)
			}
		}
	}
	// Files are parsed in parallel; their documents keep the files' order.
	type result struct {
		docs  []*Document
		diags Diagnostics
	}
	results := make([]result, len(files))
	Parallel(len(files), func(i int) {
		docs, diags := l.readFile(files[i])
		results[i].docs, results[i].diags = docs, diags
		if l.Each != nil {
			// The documents of one file in parallel too: a single large
			// file keeps both CPUs busy.
			Parallel(len(docs), func(j int) {
				if docs[j].Value != nil {
					l.Each(docs[j])
				}
			})
		}
	})
	var docs []*Document
	for _, r := range results {
		docs = append(docs, r.docs...)
		diags = append(diags, r.diags...)
	}
	return docs, diags
}

// Parallel calls f(0) … f(n-1) on as many goroutines as there are CPUs
// (loading files here, validating documents in schema).
func Parallel(n int, f func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

// IsManifestFile reports whether a directory walk picks up the file.
func IsManifestFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Expand lists the files path stands for, as Read walks it ("-" for
// standard input stays "-").
func Expand(path string) ([]string, error) { return expand(path) }

func expand(p string) ([]string, error) {
	if p == "-" {
		return []string{p}, nil
	}
	info, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("no such file or directory")
		}
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := path != p && strings.HasPrefix(d.Name(), ".")
		switch {
		case d.IsDir() && hidden:
			return filepath.SkipDir
		case !d.IsDir() && !hidden && IsManifestFile(path):
			files = append(files, path)
		}
		return nil
	})
	if err == nil && len(files) == 0 {
		err = errors.New("directory holds no .yaml, .yml or .json file")
	}
	return files, err
}

func (l Loader) readFile(name string) ([]*Document, Diagnostics) {
	data, err := l.readBytes(name)
	display := name
	if name == "-" {
		display = "<stdin>"
	}
	if err != nil {
		return nil, Diagnostics{{Pos: Position{File: display, Line: 1, Column: 1}, Message: err.Error()}}
	}
	if IsSopsEncrypted(data) {
		return nil, nil // secrets kept beside the manifests, for fromSops
	}
	return parse(display, data, l.Vars)
}

// readBytes reads standard input, or a regular file (ReadRegularFile: a
// FIFO, a device or a directory is refused before anything is read, and so
// is a file over MaxFileSize).
func (l Loader) readBytes(name string) ([]byte, error) {
	if name != "-" {
		data, err := ReadRegularFile(name, MaxFileSize)
		var tl *FileTooLargeError
		if errors.As(err, &tl) {
			return nil, tooLarge(tl.Size)
		}
		return data, err
	}
	r := l.Stdin
	if r == nil {
		r = os.Stdin
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err == nil && len(data) > MaxFileSize {
		return nil, tooLarge(int64(len(data)))
	}
	return data, err
}

func tooLarge(n int64) error {
	return fmt.Errorf("file is %.1f MiB; a manifest file may hold at most %d MiB (split it into several files)", float64(n)/(1<<20), MaxFileSize>>20)
}

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yamlErrorPos finds where a YAML error is. The parser reports the line of
// the construct it was reading counted from 0, the scanner the line of the
// problem counted from 1; an unknown anchor comes with no line at all. A
// tab that breaks the indentation is reported at the line of the value
// before it (the scanner's context, not its problem): it is found from
// there, and pointed at.
func yamlErrorPos(data []byte, err error) (line, col int, msg string) {
	text := err.Error()
	if m := unknownAnchor.FindStringSubmatch(text); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line, col = lineCol(data, i)
			return line, col, fmt.Sprintf("alias *%s refers to no anchor &%s", m[1], m[1])
		}
	}
	m := yamlLine.FindStringSubmatch(text)
	if m == nil {
		return 1, 1, strings.TrimPrefix(text, "yaml: ")
	}
	line, _ = strconv.Atoi(m[1])
	msg = m[2]
	for _, parserProblem := range []string{"did not find expected", "found duplicate", "found incompatible"} {
		if strings.HasPrefix(msg, parserProblem) {
			line++
		}
	}
	if strings.Contains(msg, "tab character") || strings.Contains(msg, "cannot start any token") {
		if l, c, ok := indentTab(data, line); ok {
			return l, c, msg + " (a tab in the indentation: indent with spaces)"
		}
	}
	return line, 1, msg
}

// indentTab finds the first tab in the indentation of a line from line on
// (counted from 1), within the next few lines.
func indentTab(data []byte, line int) (int, int, bool) {
	lines := bytes.Split(data, []byte("\n"))
	for l := max(line, 1); l <= len(lines) && l < line+4; l++ {
		for i, b := range lines[l-1] {
			if b == '\t' {
				return l, i + 1, true
			}
			if b != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

// Parse splits data into documents. file names the data in positions.
func Parse(file string, data []byte) ([]*Document, Diagnostics) { return parse(file, data, nil) }

// parse is Parse with the variables of a tenant substituted.
func parse(file string, data []byte, vars *Vars) ([]*Document, Diagnostics) {
	at := func(line, col int, format string, args ...any) Diagnostics {
		return Diagnostics{{Pos: Position{File: file, Line: line, Column: col}, Message: fmt.Sprintf(format, args...)}}
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return nil, at(1, 1, "file is UTF-16; save it as UTF-8")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, col := lineCol(data, i)
		return nil, at(line, col, "file is binary (NUL byte); a manifest is UTF-8 text")
	}
	if !utf8.Valid(data) {
		line, col := lineCol(data, firstInvalidUTF8(data))
		return nil, at(line, col, "invalid UTF-8; save the file as UTF-8")
	}
	if off, n := longScalar(data); n > 0 {
		line, col := lineCol(data, off)
		return nil, at(line, col, "value is %.1f MiB long; a value may hold at most %d MiB", float64(n)/(1<<20), MaxValueLength>>20)
	}
	src := &source{text: string(data), vars: vars}
	if fast, ok := fastDocuments(src.text, vars); ok {
		docs := make([]*Document, len(fast))
		for i, f := range fast {
			docs[i] = &Document{File: file, Index: i, src: src, Start: Position{File: file, Line: f.line, Column: 1}}
			docs[i].setValue(f.value)
		}
		return docs, nil
	}
	contents, err := splitDocuments(data)
	var docs []*Document
	for index, content := range contents {
		if index == MaxDocuments {
			return docs, at(content.Line, content.Column, "more than %d documents in one file; split it into several files", MaxDocuments)
		}
		d := &Document{File: file, Index: index, root: content, src: src,
			Start: Position{File: file, Line: content.Line, Column: content.Column}}
		docs = append(docs, d)
		ds := d.convert(vars)
		d.root = nil // src parses again if a position is asked for
		if ds != nil {
			return docs, ds
		}
	}
	if err != nil {
		line, col, msg := yamlErrorPos(data, err)
		return docs, at(line, col, "invalid YAML: %s", msg)
	}
	return docs, nil
}

// longScalar finds, without parsing, a value that is surely longer than
// MaxValueLength: on a line of that length with no comment, a stretch with
// no flow indicator or quote, after its last ": " (a plain scalar holds
// none). It returns its offset and length, or n = 0 when there is none (the
// parser's own check then still applies). The parser takes seconds over such
// a value; this takes milliseconds.
func longScalar(data []byte) (off, n int) {
	if len(data) <= MaxValueLength {
		return 0, 0
	}
	for start := 0; start < len(data); {
		end := len(data)
		if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
			end = start + i
		}
		line := data[start:end]
		if len(line) > MaxValueLength && bytes.IndexByte(line, '#') < 0 {
			for pos := 0; pos < len(line); {
				stop := len(line)
				if i := bytes.IndexAny(line[pos:], ",[]{}\"'"); i >= 0 {
					stop = pos + i
				}
				run, at := line[pos:stop], start+pos
				if len(run) > MaxValueLength {
					if i := bytes.LastIndex(run, []byte(": ")); i >= 0 {
						run, at = run[i+2:], at+i+2
					}
					trimmed := bytes.TrimLeft(run, " \t-")
					at += len(run) - len(trimmed)
					if v := bytes.TrimRight(trimmed, " \t\r"); len(v) > MaxValueLength {
						return at, len(v)
					}
				}
				pos = stop + 1
			}
		}
		start = end + 1
	}
	return 0, 0
}

// splitDocuments parses every document of data and returns their content
// nodes, empty documents left out; err is the syntax error that ended it.
func splitDocuments(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var contents []*yaml.Node
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return contents, nil
		}
		if err != nil {
			return contents, err
		}
		if len(root.Content) == 0 {
			continue
		}
		content := root.Content[0]
		if content.Kind == yaml.ScalarNode && content.ShortTag() == "!!null" {
			continue // an empty document, such as a trailing ---
		}
		if len(contents) > MaxDocuments {
			return contents, nil
		}
		contents = append(contents, content)
	}
}

// convert fills Value and the lenient header fields. An error here ends the
// file: what follows cannot be trusted either.
func (d *Document) convert(vars *Vars) Diagnostics {
	c := &converter{doc: d, vars: vars}
	v, err := c.value(d.root, 0, 0)
	if err != nil {
		var ce *convError
		if errors.As(err, &ce) {
			return Diagnostics{{Pos: d.position(ce.node), Path: ce.path, Message: ce.msg}}
		}
		return Diagnostics{{Pos: d.Start, Message: err.Error()}}
	}
	d.setValue(v)
	return nil
}

// setValue sets Value and reads the header fields from it.
func (d *Document) setValue(v any) {
	d.Value = v
	if m, ok := v.(map[string]any); ok {
		d.APIVersion, _ = m["apiVersion"].(string)
		k, _ := m["kind"].(string)
		d.Kind = Kind(k)
		if md, ok := m["metadata"].(map[string]any); ok {
			d.Name, _ = md["name"].(string)
		}
	}
}

func lineCol(data []byte, off int) (line, col int) {
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}
