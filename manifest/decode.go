package manifest

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// errSlowPath makes decodeFast give up: the value needs something only
// encoding/json does exactly (a key that matches a field only by case, a
// null, a number into a float, a value of the wrong type…).
var errSlowPath = errors.New("decode through JSON")

// decodeFast fills target (a pointer to a struct) from JSON values as
// encoding/json would from their text, without writing the text: the
// common, clean document. It returns errSlowPath, having perhaps filled
// part of target, for anything else; the caller then starts again from a
// fresh target through encoding/json, so that messages and lenient
// decoding stay exactly those of encoding/json.
func decodeFast(v any, target reflect.Value) error {
	t := target.Type()
	switch {
	case v == nil:
		return errSlowPath
	case t.Kind() == reflect.Pointer:
		if target.IsNil() {
			target.Set(reflect.New(t.Elem()))
		}
		return decodeFast(v, target.Elem())
	case t == secretRefType:
		if r, ok := simpleSecretRef(v); ok {
			target.Set(reflect.ValueOf(r))
			return nil
		}
		fallthrough
	case target.CanAddr() && reflect.PointerTo(t).Implements(jsonUnmarshaler):
		raw, err := json.Marshal(v)
		if err != nil {
			return errSlowPath
		}
		if err := target.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			return errSlowPath
		}
		return nil
	case t.Implements(jsonUnmarshaler), reflect.PointerTo(t).Implements(textUnmarshaler):
		return errSlowPath
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return errSlowPath
		}
		fields := fieldsOf(t)
		if fields == nil {
			return errSlowPath
		}
		for k, e := range m {
			idx, ok := fields[k]
			if !ok {
				return errSlowPath // unknown, or matched by case only
			}
			if err := decodeFast(e, target.FieldByIndex(idx)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return errSlowPath
		}
		if target.IsNil() {
			target.Set(reflect.MakeMapWithSize(t, len(m)))
		}
		for k, e := range m {
			elem := reflect.New(t.Elem()).Elem()
			if err := decodeFast(e, elem); err != nil {
				return err
			}
			target.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), elem)
		}
		return nil
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return errSlowPath
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			if err := decodeFast(e, s.Index(i)); err != nil {
				return err
			}
		}
		target.Set(s)
		return nil
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return errSlowPath
		}
		target.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return errSlowPath
		}
		target.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return errSlowPath
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || target.OverflowInt(i) {
			return errSlowPath
		}
		target.SetInt(i)
		return nil
	}
	return errSlowPath
}

// simpleSecretRef reads the common forms of a secret field (a literal, or
// fromEnv or fromFile naming a string) as SecretRef.UnmarshalJSON does from
// their text, without writing it; ok is false for any other form.
func simpleSecretRef(v any) (r SecretRef, ok bool) {
	switch x := v.(type) {
	case string:
		return SecretRef{Literal: NewPublicValue(x)}, true
	case map[string]any:
		if len(x) != 1 {
			return r, false
		}
		if s, ok := x["fromEnv"].(string); ok && s != "" {
			return SecretRef{FromEnv: s}, true
		}
		if s, ok := x["fromFile"].(string); ok && s != "" {
			return SecretRef{FromFile: s}, true
		}
	}
	return r, false
}

var (
	secretRefType   = reflect.TypeFor[SecretRef]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	fieldCache      sync.Map // reflect.Type → map[string][]int (nil: not decoded here)
)

// fieldsOf maps the JSON names of a struct's fields to their indices,
// embedded structs flattened; nil when the struct has what decodeFast
// leaves to encoding/json (a name twice, a pointer or tagged embedding, a
// ",string" option).
func fieldsOf(t reflect.Type) map[string][]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string][]int)
	}
	out := map[string][]int{}
	if !collectFields(t, nil, out) {
		out = nil
	}
	fieldCache.Store(t, out)
	return out
}

func collectFields(t reflect.Type, prefix []int, out map[string][]int) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), prefix...), i)
		switch {
		case name == "-" && opts == "":
			continue
		case f.Anonymous:
			if hasTag || f.Type.Kind() != reflect.Struct {
				return false
			}
			if !collectFields(f.Type, idx, out) {
				return false
			}
			continue
		case !f.IsExported():
			continue
		case strings.Contains(opts, "string"):
			return false
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := out[name]; dup {
			return false
		}
		out[name] = idx
	}
	return true
}

// knownKeys holds the JSON names of every field of the manifest kinds: a
// mapping key of that name is stored under this one copy, so that a
// hundred thousand documents do not keep a hundred thousand copies of
// "apiVersion" (the parser makes a new string for every key).
var knownKeys = func() map[string]string {
	out := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				out[name] = name
			}
			walk(f.Type)
		}
	}
	for _, v := range []any{Credential{}, ServiceAccount{}, AccessKey{}, SeqeraCredential{}, Ownership{}, SopsRef{}, CommandRef{}, OutputRef{}} {
		walk(reflect.TypeOf(v))
	}
	for _, form := range strings.Split(Forms, ", ") { // the keys of a SecretRef's object form
		out[form] = form
	}
	return out
}()

// internKey returns the shared copy of a known key, else key itself.
func internKey(key string) string {
	if k, ok := knownKeys[key]; ok {
		return k
	}
	return key
}
