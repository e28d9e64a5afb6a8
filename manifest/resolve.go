package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Resolver reads the values of fromEnv and fromFile references. Plan and
// apply resolve every reference before changing anything; validate never
// does.
type Resolver struct {
	// Getenv reads a variable; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// ReadFile reads a file; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

// Resolve returns the value of a literal, fromEnv or fromFile reference. A
// reference to another resource's output has no value before apply:
// resolved is false then. Errors name the variable or file, never a value.
func (r Resolver) Resolve(doc *Document, ref SecretRef) (value Secret, resolved bool, err error) {
	switch {
	case ref.IsLiteral():
		return ref.Literal, true, nil
	case ref.FromEnv != "":
		lookup := r.LookupEnv
		if lookup == nil {
			lookup = os.LookupEnv
		}
		v, ok := lookup(ref.FromEnv)
		if !ok {
			return Secret{}, false, fmt.Errorf("environment variable %s is not set", ref.FromEnv)
		}
		if v == "" {
			return Secret{}, false, fmt.Errorf("environment variable %s is empty", ref.FromEnv)
		}
		return NewSecret(v), true, nil
	case ref.FromFile != "":
		path := ref.FromFile
		if !filepath.IsAbs(path) && doc != nil && doc.File != "<stdin>" {
			path = filepath.Join(filepath.Dir(doc.File), path)
		}
		read := r.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		b, err := read(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return Secret{}, false, fmt.Errorf("file %s does not exist", path)
		case err != nil:
			return Secret{}, false, fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
		}
		b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
		if len(b) == 0 {
			return Secret{}, false, fmt.Errorf("file %s is empty", path)
		}
		return NewSecret(string(b)), true, nil
	}
	return Secret{}, false, nil
}

// ResolveField resolves one field of a resource, turning an error into a
// diagnostic at the field.
func (r Resolver) ResolveField(res Resource, f SecretField) (Secret, bool, *Diagnostic) {
	doc := res.Document()
	v, ok, err := r.Resolve(doc, f.Ref)
	if err != nil {
		p := f.Path
		if f.Ref.FromEnv != "" {
			p = p.Append("fromEnv")
		} else if f.Ref.FromFile != "" {
			p = p.Append("fromFile")
		}
		var pos Position
		if doc != nil {
			pos = doc.Pos(p)
		}
		return Secret{}, false, &Diagnostic{Pos: pos, Path: p, Message: err.Error()}
	}
	return v, ok, nil
}
