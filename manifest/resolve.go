package manifest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"unicode/utf8"
)

// Resolver reads the values of secret references. Plan and apply resolve
// every reference before changing anything; validate never does.
//
// The tenants file resolves its connection secrets through the same
// Resolver with ResolveAt, giving the directory relative paths start from
// and the position errors are placed at.
type Resolver struct {
	// LookupEnv reads a variable; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Roots are the directories that fromFile and fromSops files, and the
	// files secrets are written to (spec.secretFile), must be inside,
	// symlinks resolved: the working directory (nil means it), or the
	// tenants file's directory, and every --allow-file-outside DIR.
	Roots []string
	// Sources resolves fromSops and fromCommand; nil refuses them.
	Sources Sources
}

// Sources resolves the references that need more than the environment and
// a file: SOPS-encrypted files and programs (package secretsource).
// Implementations are safe for concurrent use and remember every result
// for the run, so a file is decrypted, and a command run, once.
type Sources interface {
	// CheckCommand refuses a program that may not run, running nothing.
	CheckCommand(c CommandRef) error
	// Sops returns the value at key in the SOPS-encrypted file path, a
	// regular file already confined to the roots. A key the file does not
	// hold is a *KeyError.
	Sops(path, key string) (Secret, error)
	// Command runs c (after CheckCommand) and returns its output.
	Command(c CommandRef) (Secret, error)
}

// KeyError is a fromSops key the file does not hold; its diagnostic is
// placed at fromSops.key. It names the keys that exist, never a value.
type KeyError struct{ Msg string }

func (e *KeyError) Error() string { return e.Msg }

// placedError is an error that belongs to a part of the reference, such
// as fromSops.file; the diagnostic is placed there.
type placedError struct {
	at  FieldPath
	err error
}

func (e *placedError) Error() string { return e.err.Error() }
func (e *placedError) Unwrap() error { return e.err }

func at(err error, p ...any) error {
	if err == nil {
		return nil
	}
	return &placedError{at: p, err: err}
}

// Resolve returns the value of ref, a field of doc (relative paths are
// relative to doc's directory). A reference to another resource's output
// has no value before apply: resolved is false then. Errors name the
// variable, file or program, never a value.
func (r Resolver) Resolve(doc *Document, ref SecretRef) (value Secret, resolved bool, err error) {
	return r.resolve(ref, baseDir(doc))
}

func baseDir(doc *Document) string {
	if doc == nil || doc.File == "<stdin>" {
		return ""
	}
	return filepath.Dir(doc.File)
}

func (r Resolver) resolve(ref SecretRef, dir string) (Secret, bool, error) {
	join := func(p string) string {
		if filepath.IsAbs(p) || dir == "" {
			return p
		}
		return filepath.Join(dir, p)
	}
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
			return Secret{}, false, at(fmt.Errorf("environment variable %s is not set", ref.FromEnv), "fromEnv")
		}
		if v == "" {
			return Secret{}, false, at(fmt.Errorf("environment variable %s is empty", ref.FromEnv), "fromEnv")
		}
		return NewSecret(v), true, nil
	case ref.FromFile != "":
		v, err := r.readFromFile(join(ref.FromFile), ref)
		return v, err == nil, at(err, "fromFile")
	case ref.FromSops != nil:
		if r.Sources == nil {
			return Secret{}, false, at(errors.New("fromSops cannot be resolved here"), "fromSops")
		}
		path, err := r.confine(join(ref.FromSops.File))
		if err != nil {
			return Secret{}, false, at(err, "fromSops", "file")
		}
		v, err := r.Sources.Sops(path, ref.FromSops.Key)
		var ke *KeyError
		switch {
		case errors.As(err, &ke):
			return Secret{}, false, at(err, "fromSops", "key")
		case err != nil:
			return Secret{}, false, at(err, "fromSops", "file")
		}
		return v, true, nil
	case ref.FromCommand != nil:
		if r.Sources == nil {
			return Secret{}, false, at(errors.New("fromCommand cannot be resolved here"), "fromCommand")
		}
		if err := r.Sources.CheckCommand(*ref.FromCommand); err != nil {
			return Secret{}, false, at(err, "fromCommand", "command")
		}
		v, err := r.Sources.Command(*ref.FromCommand)
		return v, err == nil, at(err, "fromCommand", "command")
	}
	return Secret{}, false, nil
}

// readFromFile reads a fromFile value: text with one trailing newline
// dropped, or with EncodingBase64 the bytes base64-encoded as they are.
func (r Resolver) readFromFile(path string, ref SecretRef) (Secret, error) {
	real, err := r.confine(path)
	if err != nil {
		return Secret{}, err
	}
	b, err := ReadSecretFile(real, path, MaxSecretFileSize, "fromFile")
	if err != nil {
		return Secret{}, err
	}
	switch ref.FileEncoding {
	case EncodingBase64:
		if len(b) == 0 {
			return Secret{}, fmt.Errorf("file %s is empty", path)
		}
		return NewSecret(base64.StdEncoding.EncodeToString(b)), nil
	case "":
	default:
		return Secret{}, fmt.Errorf("encoding %q is not known; the one encoding is %s", ref.FileEncoding, EncodingBase64)
	}
	if !utf8.Valid(b) {
		return Secret{}, fmt.Errorf("file %s is not UTF-8 text (binary?); to take its bytes as they are, base64-encoded, write fromFile: {path: %s, encoding: base64}", path, ref.FromFile)
	}
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	if len(b) == 0 {
		return Secret{}, fmt.Errorf("file %s is empty", path)
	}
	return NewSecret(string(b)), nil
}

// ResolveAt resolves ref, read from a file in baseDir (relative paths start
// there; "" is the working directory), turning an error, or a reference
// that names no source, into a diagnostic at pos for the field path (the
// part of the reference at fault appended). The tenants file uses it for
// its connection secrets.
func (r Resolver) ResolveAt(ref SecretRef, baseDir string, pos Position, path FieldPath) (Secret, *Diagnostic) {
	return r.resolveAt(ref, baseDir, path, func(FieldPath) Position { return pos })
}

func (r Resolver) resolveAt(ref SecretRef, dir string, path FieldPath, pos func(FieldPath) Position) (Secret, *Diagnostic) {
	v, ok, err := r.resolve(ref, dir)
	switch {
	case err != nil:
		p := path
		var pe *placedError
		if errors.As(err, &pe) {
			p = p.Append(pe.at...)
		}
		return Secret{}, &Diagnostic{Pos: pos(p), Path: p, Message: err.Error()}
	case !ok:
		return Secret{}, &Diagnostic{Pos: pos(path), Path: path, Message: "no value: give a string or one of " + Forms}
	}
	return v, nil
}

// ResolveField resolves one field of a resource, turning an error, or a
// reference that names no source, into a diagnostic at the field.
func (r Resolver) ResolveField(res Resource, f SecretField) (Secret, *Diagnostic) {
	return r.ResolveIn(res.Document(), f.Path, f.Ref)
}

// ResolveIn resolves ref, the value at path of doc (a manifest, or the
// tenants file for its connection secrets): relative paths start at doc's
// directory, and a problem is a diagnostic at the part of the reference at
// fault (fromSops.key, fromCommand.command).
func (r Resolver) ResolveIn(doc *Document, path FieldPath, ref SecretRef) (Secret, *Diagnostic) {
	return r.resolveAt(ref, baseDir(doc), path, func(p FieldPath) Position {
		if doc == nil {
			return Position{}
		}
		return doc.Pos(p)
	})
}

// Prepare checks that every file a secret will be written to
// (spec.secretFile) lies inside the roots, then runs the slow sources of
// the set first, at once: it checks every fromCommand against the
// allow-list, and when all are allowed it decrypts
// the fromSops files and runs the programs in parallel, each once, so that
// resolving the fields later (ResolveField) finds their results, errors
// included, remembered by Sources. It returns the refusals: with any,
// nothing ran, and nothing else should be resolved.
func (r Resolver) Prepare(set *Set) Diagnostics {
	var outside Diagnostics
	for _, res := range set.Resources {
		if o, ok := res.(Outputter); ok {
			for _, f := range o.OutputFiles() {
				if err := r.ConfineOutput(f.File); err != nil {
					outside = append(outside, FieldDiagnostic(res, f.Path, err.Error()))
				}
			}
		}
	}
	if len(outside) > 0 || r.Sources == nil {
		return outside
	}
	type field struct {
		res Resource
		f   SecretField
	}
	var slow []field
	var refused Diagnostics
	for _, res := range set.Resources {
		for _, f := range referencesOf(res) {
			switch c := f.Ref.FromCommand; {
			case c != nil:
				if err := r.Sources.CheckCommand(*c); err != nil {
					refused = append(refused, FieldDiagnostic(res, f.Path.Append("fromCommand", "command"), err.Error()))
					continue
				}
				slow = append(slow, field{res, f})
			case f.Ref.FromSops != nil:
				slow = append(slow, field{res, f})
			}
		}
	}
	if len(refused) > 0 {
		return refused
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, s := range slow {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			// The result stays with Sources; ResolveField reports it.
			_, _ = r.ResolveField(s.res, s.f)
		})
	}
	wg.Wait()
	return nil
}

// referencesOf lists every field of res that may hold a reference: its
// secret fields, and for a Seqera credential every key (keys that are not
// secret may come from a source too).
func referencesOf(res Resource) []SecretField {
	s, ok := res.(*SeqeraCredential)
	if !ok {
		return res.Secrets()
	}
	var out []SecretField
	for _, k := range slices.Sorted(maps.Keys(s.Spec.Keys)) {
		out = append(out, SecretField{Path: FieldPath{"spec", "keys", k}, Ref: s.Spec.Keys[k]})
	}
	return out
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
