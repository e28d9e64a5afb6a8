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
	// LookupEnv reads a variable; nil means os.LookupEnv.
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
		RegisterSecret(ref.Literal.Reveal()) // see SecretRef.UnmarshalJSON
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

// ResolveField resolves one field of a resource (a literal, fromEnv or
// fromFile), turning an error, or a reference that names no source, into a
// diagnostic at the field.
func (r Resolver) ResolveField(res Resource, f SecretField) (Secret, *Diagnostic) {
	v, ok, err := r.Resolve(res.Document(), f.Ref)
	switch {
	case err != nil:
		p := f.Path
		if f.Ref.FromEnv != "" {
			p = p.Append("fromEnv")
		} else if f.Ref.FromFile != "" {
			p = p.Append("fromFile")
		}
		d := FieldDiagnostic(res, p, err.Error())
		return Secret{}, &d
	case !ok:
		d := FieldDiagnostic(res, f.Path, "no value: give a string or one of fromEnv, fromFile, fromServiceAccount, fromAccessKey")
		return Secret{}, &d
	}
	return v, nil
}

// FieldDiagnostic is an error at the field p of res, with its position
// when res came from a file.
func FieldDiagnostic(res Resource, p FieldPath, msg string) Diagnostic {
	var pos Position
	if doc := res.Document(); doc != nil {
		pos = doc.Pos(p)
	}
	return Diagnostic{Pos: pos, Path: p, Message: msg}
}
