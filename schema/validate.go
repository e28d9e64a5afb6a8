package schema

import (
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/runai-sync/runai-sync/manifest"
)

// MaxErrorsPerFile stops checking a file after this many errors: past it,
// more messages help nobody.
const MaxErrorsPerFile = 100

// Load reads and validates the manifests under paths. The diagnostics come
// sorted; when they hold an error the set must not be used.
func Load(paths ...string) (*manifest.Set, manifest.Diagnostics) {
	return LoadWith(manifest.Loader{}, paths...)
}

// LoadWith is Load with a given loader (standard input for tests). Each
// document is checked on its own as soon as its file is read (l.Each), and
// its generic value dropped then: the checks of the whole set read the
// typed resources, so loading a hundred thousand documents keeps only
// those.
func LoadWith(l manifest.Loader, paths ...string) (*manifest.Set, manifest.Diagnostics) {
	c := mustCompile()
	var mu sync.Mutex
	early := map[*manifest.Document]checked{}
	next := l.Each
	l.Each = func(d *manifest.Document) {
		r := c.check(d)
		d.DropValue()
		mu.Lock()
		early[d] = r
		mu.Unlock()
		if next != nil {
			next(d)
		}
	}
	docs, diags := l.Read(paths...)
	set, more := validate(docs, l.SeqeraWorkspace, early)
	return set, append(diags, more...).Sort()
}

// Validate checks every document and the set they form. The diagnostics
// are not sorted (Load sorts them).
func Validate(docs []*manifest.Document) (*manifest.Set, manifest.Diagnostics) {
	return validate(docs, 0, nil)
}

// checked is what the checks of one document found: alone, the checks
// that count towards MaxErrorsPerFile.
type checked struct {
	converted   bool // false: the loader already reported why
	diags, more manifest.Diagnostics
}

func mustCompile() *compiled {
	c, err := load()
	if err != nil {
		panic("the embedded schema does not compile: " + err.Error())
	}
	return c
}

// check runs every check of one document on its own: header, schema,
// decoding (diags), then those of more than one of its fields (more).
func (c *compiled) check(d *manifest.Document) checked {
	if d.Value == nil {
		return checked{}
	}
	r := checked{converted: true, diags: c.checkDocument(d)}
	r.more = checkAlone(d)
	return r
}

// validate is Validate with the default Seqera workspace (0: none), and
// the documents the loader checked already (early).
func validate(docs []*manifest.Document, seqeraWorkspace int64, early map[*manifest.Document]checked) (*manifest.Set, manifest.Diagnostics) {
	c := mustCompile()
	// Each document is checked on its own, in parallel; the results are
	// then taken in order, so that the cap per file is deterministic.
	perDoc := make([]checked, len(docs))
	manifest.Parallel(len(docs), func(i int) {
		if r, ok := early[docs[i]]; ok {
			perDoc[i] = r
		} else {
			perDoc[i] = c.check(docs[i])
		}
	})
	var diags manifest.Diagnostics
	var valid, decoded []*manifest.Document
	errorsIn := map[string]int{}
	cut := map[string]manifest.Position{} // files not checked to their end
	for i, d := range docs {
		if !perDoc[i].converted {
			continue
		}
		if errorsIn[d.File] >= MaxErrorsPerFile {
			if _, ok := cut[d.File]; !ok {
				cut[d.File] = d.Start
			}
			continue
		}
		ds := perDoc[i].diags
		diags = append(diags, ds...)
		errorsIn[d.File] += ds.Errors()
		if d.Resource != nil || d.Ownership != nil {
			decoded = append(decoded, d)
			diags = append(diags, perDoc[i].more...)
		}
		if len(ds) == 0 {
			valid = append(valid, d)
		}
	}
	// The checks of the set see every document that decoded, valid or not,
	// so that one run reports everything; only valid documents form the set.
	all := manifest.NewSet(decoded)
	if seqeraWorkspace != 0 {
		all.DefaultSeqeraWorkspace(seqeraWorkspace)
	}
	diags = append(diags, checkSet(all)...)
	set := all // valid is a part of decoded: every other document has a diagnostic
	if len(valid) < len(decoded) {
		set = manifest.NewSet(valid)
	}
	return set, capPerFile(diags.Sort(), cut)
}

// capPerFile keeps, of sorted diagnostics, the first MaxErrorsPerFile
// errors of each file (and at most as many warnings, before the cut), then
// says that the rest was left out: the checks of the whole set
// (duplicates, references) find problems in every document too.
func capPerFile(diags manifest.Diagnostics, cut map[string]manifest.Position) manifest.Diagnostics {
	errorsIn, warningsIn := map[string]int{}, map[string]int{}
	noted := map[string]bool{}
	out := diags[:0:0]
	note := func(pos manifest.Position) {
		noted[pos.File] = true
		out = append(out, manifest.Diagnostic{Pos: pos,
			Message: fmt.Sprintf("more than %d errors in this file; the rest of it was not checked (fix these first)", MaxErrorsPerFile)})
	}
	for _, d := range diags {
		f := d.Pos.File
		switch {
		case f == "":
			out = append(out, d)
			continue
		case noted[f]:
			continue
		case d.Severity == manifest.SeverityWarning:
			warningsIn[f]++
			switch {
			case warningsIn[f] == MaxErrorsPerFile+1:
				out = append(out, manifest.Diagnostic{Pos: d.Pos, Severity: manifest.SeverityWarning,
					Message: fmt.Sprintf("more than %d warnings in this file; the rest are not shown", MaxErrorsPerFile)})
				continue
			case warningsIn[f] > MaxErrorsPerFile:
				continue
			}
		case errorsIn[f] == MaxErrorsPerFile:
			note(d.Pos)
			continue
		default:
			errorsIn[f]++
		}
		out = append(out, d)
	}
	for f, pos := range cut {
		if !noted[f] {
			note(pos)
		}
	}
	return out.Sort()
}

// checkDocument checks one document on its own: header, schema, decoding.
func (c *compiled) checkDocument(d *manifest.Document) manifest.Diagnostics {
	if ds := checkHeader(d); len(ds) > 0 {
		return ds
	}
	ds := c.validate(d)
	if err := d.Decode(); err != nil && len(ds) == 0 {
		ds = append(ds, manifest.Diagnostic{Pos: d.Start, Message: "cannot decode: " + err.Error()})
	}
	return ds
}

func checkHeader(d *manifest.Document) manifest.Diagnostics {
	m, ok := d.Value.(map[string]any)
	if !ok {
		return manifest.Diagnostics{{Pos: d.Start, Message: "a manifest document must be a mapping with apiVersion, kind, metadata and spec"}}
	}
	var ds manifest.Diagnostics
	add := func(field, msg string) {
		p := manifest.FieldPath{field}
		ds = append(ds, manifest.Diagnostic{Pos: d.Pos(p), Path: p, Message: msg})
	}
	switch v, present := m["apiVersion"]; {
	case !present:
		add("apiVersion", "required field is missing; add apiVersion: "+manifest.APIVersion)
	case v != manifest.APIVersion:
		add("apiVersion", fmt.Sprintf("unknown apiVersion %s; this version of runai-sync reads %q", show(v), manifest.APIVersion))
	}
	kinds := make([]string, len(manifest.Kinds))
	for i, k := range manifest.Kinds {
		kinds[i] = string(k)
	}
	switch v, present := m["kind"]; {
	case !present:
		add("kind", "required field is missing; one of "+joinQuoted(kinds))
	default:
		s, _ := v.(string)
		if s == KindTenants {
			add("kind", "a Tenants document is the tenants file, not a manifest: leave it out of -f (commands find runai-sync.yaml, or take --config FILE)")
		} else if !contains(kinds, s) {
			msg := fmt.Sprintf("unknown kind %s", show(v))
			if near := nearest(s, kinds); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			} else {
				msg += "; one of " + joinQuoted(kinds)
			}
			add("kind", msg)
		}
	}
	return ds
}

func (c *compiled) validate(d *manifest.Document) manifest.Diagnostics {
	if quickValid(d) {
		return nil
	}
	err := c.schemaFor(d).Validate(d.Value)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return manifest.Diagnostics{{Pos: d.Start, Message: err.Error()}}
	}
	var ds manifest.Diagnostics
	for _, leaf := range leaves(ve) {
		ds = append(ds, c.translate(d, leaf)...)
	}
	return ds
}

// leaves returns the errors that say what is wrong; the others only group
// them (allOf, $ref, if/then, the schema itself).
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		switch ve.ErrorKind.(type) {
		case *kind.Group, *kind.AllOf, *kind.Reference, *kind.Schema:
			return nil
		}
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// instancePath turns an instance location into a field path, with indices
// as ints where the document holds a list.
func instancePath(d *manifest.Document, loc []string) manifest.FieldPath {
	var p manifest.FieldPath
	cur := d.Value
	for _, tok := range loc {
		switch v := cur.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return append(p, tok)
			}
			p, cur = append(p, i), v[i]
		case map[string]any:
			p, cur = append(p, tok), v[tok]
		default:
			return append(p, tok)
		}
	}
	return p
}
