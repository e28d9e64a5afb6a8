package tenants

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/schema"
)

// DefaultFile is the tenants file looked for in the working directory.
const DefaultFile = "runai-sync.yaml"

// EnvConfig names the tenants file when --config does not.
const EnvConfig = "RUNAI_SYNC_CONFIG"

// DefaultState is a tenant's state when neither it nor the defaults say.
const DefaultState = ".runai-sync/${tenant}/state.json"

// Find returns the path of the tenants file: flag (--config), else the
// variable RUNAI_SYNC_CONFIG, else runai-sync.yaml in the working directory
// when it exists; "" when there is none. A named file must exist.
func Find(flag string, getenv func(string) string) (string, error) {
	for _, p := range []string{flag, getenv(EnvConfig)} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("tenants file %s: %w", p, errors.Unwrap(err))
		}
		return p, nil
	}
	if _, err := os.Stat(DefaultFile); err == nil {
		return DefaultFile, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("tenants file %s: %w", DefaultFile, err)
	}
	return "", nil
}

// File is a valid tenants file.
type File struct {
	// Path is the file as given.
	Path string
	// Tenants in the order of the file.
	Tenants []*Tenant
	doc     *manifest.Document
}

// Tenant is one entry of the file, defaults applied and variables of its
// paths substituted.
type Tenant struct {
	Name string
	URL  string
	// ClientID and ClientSecret, or Token: the login (nil when absent).
	ClientID, ClientSecret, Token *Secret
	// Seqera is nil when the tenant has no Seqera Platform.
	Seqera *Seqera
	// Manifests are the manifest paths, joined with the file's directory.
	Manifests []string
	// Vars are defaults.vars with the tenant's own on top.
	Vars map[string]string
	// State is "none", a postgres:// URL, or a file joined with the file's
	// directory.
	State string
	// Pos is where the entry starts.
	Pos  manifest.Position
	file *File
}

// Seqera is a tenant's Seqera Platform.
type Seqera struct {
	Endpoint    string
	Token       *Secret
	WorkspaceID int64
}

// Secret is a connection secret of the tenants file and where it is written.
type Secret struct {
	Ref  manifest.SecretRef
	Path manifest.FieldPath
}

// ManifestVars are the values the manifest loader substitutes for the tenant.
func (t *Tenant) ManifestVars() *manifest.Vars {
	return &manifest.Vars{Tenant: t.Name, Values: t.Vars}
}

// Resolve reads a connection secret of the tenant (fromFile relative to the
// tenants file). Errors say file:line:col and the field, never a value.
func (t *Tenant) Resolve(r manifest.Resolver, s *Secret) (manifest.Secret, error) {
	v, d := r.ResolveIn(t.file.doc, s.Path, s.Ref)
	if d != nil {
		return manifest.Secret{}, manifest.Diagnostics{*d}
	}
	return v, nil
}

// raw is the file as written.
type raw struct {
	Defaults struct {
		Manifests []string       `json:"manifests"`
		State     string         `json:"state"`
		Vars      map[string]any `json:"vars"`
	} `json:"defaults"`
	Tenants []struct {
		Name         string              `json:"name"`
		URL          string              `json:"url"`
		ClientID     *manifest.SecretRef `json:"clientId"`
		ClientSecret *manifest.SecretRef `json:"clientSecret"`
		Token        *manifest.SecretRef `json:"token"`
		Seqera       *struct {
			Endpoint    string              `json:"endpoint"`
			Token       *manifest.SecretRef `json:"token"`
			WorkspaceID int64               `json:"workspaceId"`
		} `json:"seqera"`
		Manifests []string       `json:"manifests"`
		Vars      map[string]any `json:"vars"`
		State     string         `json:"state"`
	} `json:"tenants"`
}

// Load reads and checks the tenants file. The diagnostics come sorted; when
// they hold an error the file must not be used.
func Load(path string) (*File, manifest.Diagnostics) {
	docs, diags := manifest.Read(path)
	if len(diags) > 0 {
		return nil, diags
	}
	at := func(line int, msg string) manifest.Diagnostics {
		return manifest.Diagnostics{{Pos: manifest.Position{File: path, Line: line, Column: 1}, Message: msg}}
	}
	switch {
	case len(docs) == 0:
		return nil, at(1, "the tenants file is empty; it starts with apiVersion: runai-sync/v1, kind: Tenants, and lists tenants:")
	case len(docs) > 1:
		return nil, at(docs[1].Start.Line, "a tenants file holds one document; the manifests go in the directories its tenants name")
	}
	d := docs[0]
	// The checks across tenants run even when the schema finds errors, so
	// that one run reports every problem; encoding/json fills what it can.
	diags = schema.ValidateTenants(d)
	b, err := json.Marshal(d.Value)
	if err != nil {
		return nil, at(1, err.Error())
	}
	var r raw
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil && !diags.HasErrors() {
		return nil, manifest.Diagnostics{{Pos: d.Start, Message: "cannot decode: " + err.Error()}}
	}
	f := &File{Path: path, doc: d}
	diags = append(diags, f.build(&r)...)
	if diags.HasErrors() {
		return nil, diags.Sort()
	}
	return f, diags.Sort()
}

// build fills Tenants from the file, checking what the schema cannot.
func (f *File) build(r *raw) manifest.Diagnostics {
	var diags manifest.Diagnostics
	errAt := func(p manifest.FieldPath, format string, args ...any) {
		diags = append(diags, manifest.Diagnostic{Pos: f.doc.Pos(p), Path: p, Message: fmt.Sprintf(format, args...)})
	}
	defaults := f.vars(manifest.FieldPath{"defaults", "vars"}, r.Defaults.Vars, errAt)
	dir := filepath.Dir(f.Path)
	seen := map[string]int{}
	for i, rt := range r.Tenants {
		p := manifest.FieldPath{"tenants", i}
		if first, dup := seen[rt.Name]; dup {
			errAt(p.Append("name"), "tenant %q is listed twice (first at line %d); give each tenant one entry", rt.Name, f.doc.Pos(manifest.FieldPath{"tenants", first}).Line)
			continue
		}
		seen[rt.Name] = i
		t := &Tenant{Name: rt.Name, URL: strings.TrimSuffix(rt.URL, "/"), Pos: f.doc.Pos(p), file: f, Vars: map[string]string{}}
		for k, v := range defaults {
			t.Vars[k] = v
		}
		for k, v := range f.vars(p.Append("vars"), rt.Vars, errAt) {
			t.Vars[k] = v
		}
		secret := func(ref *manifest.SecretRef, path manifest.FieldPath) *Secret {
			if ref == nil {
				return nil
			}
			if kind, _ := ref.Output(); kind != "" {
				errAt(path, "a connection secret cannot come from a %s of the manifests; use fromEnv, fromFile or another source", kind)
			}
			if ref.IsLiteral() {
				diags = append(diags, manifest.Diagnostic{Severity: manifest.SeverityWarning, Pos: f.doc.Pos(path), Path: path,
					Message: "plaintext secret in git; use fromEnv or fromFile"})
			}
			return &Secret{Ref: *ref, Path: path}
		}
		t.ClientID, t.ClientSecret, t.Token = secret(rt.ClientID, p.Append("clientId")), secret(rt.ClientSecret, p.Append("clientSecret")), secret(rt.Token, p.Append("token"))
		switch {
		case t.Token != nil && (t.ClientID != nil || t.ClientSecret != nil):
			errAt(p.Append("token"), "give clientId and clientSecret, or token, not both")
		case t.Token == nil && (t.ClientID == nil) != (t.ClientSecret == nil):
			missing := "clientSecret"
			if t.ClientID == nil {
				missing = "clientId"
			}
			errAt(p, "clientId and clientSecret go together: add %s", missing)
		case t.Token == nil && t.ClientID == nil:
			errAt(p, "tenant %q has no login: add clientId and clientSecret (or token), e.g. clientSecret: {fromEnv: %s_RUNAI_CLIENT_SECRET}", rt.Name, envName(rt.Name))
		}
		if s := rt.Seqera; s != nil {
			t.Seqera = &Seqera{Endpoint: strings.TrimSuffix(s.Endpoint, "/"), WorkspaceID: s.WorkspaceID, Token: secret(s.Token, p.Append("seqera", "token"))}
		}
		vars := t.ManifestVars()
		expand := func(s string, path manifest.FieldPath) string {
			out, err := vars.Expand(s)
			if err != nil {
				errAt(path, "%v", err)
			}
			return out
		}
		manifests, mp := rt.Manifests, p.Append("manifests")
		if len(manifests) == 0 {
			manifests, mp = r.Defaults.Manifests, manifest.FieldPath{"defaults", "manifests"}
		}
		if len(manifests) == 0 {
			errAt(p, "tenant %q has no manifests: add manifests: [DIR] to it or to defaults", rt.Name)
		}
		for j, m := range manifests {
			m = expand(m, mp.Append(j))
			if !filepath.IsAbs(m) {
				m = filepath.Join(dir, m)
			}
			t.Manifests = append(t.Manifests, m)
		}
		state, sp := rt.State, p.Append("state")
		if state == "" {
			state, sp = r.Defaults.State, manifest.FieldPath{"defaults", "state"}
		}
		if state == "" {
			state = DefaultState
		}
		t.State = expand(state, sp)
		if t.State != "none" && !strings.Contains(t.State, "://") && !filepath.IsAbs(t.State) {
			t.State = filepath.Join(dir, t.State)
		}
		f.Tenants = append(f.Tenants, t)
	}
	f.checkSharedState(errAt)
	return diags
}

// checkSharedState refuses two tenants with one state file: their locks
// and records would mix.
func (f *File) checkSharedState(errAt func(manifest.FieldPath, string, ...any)) {
	owner := map[string]string{}
	for i, t := range f.Tenants {
		if t.State == "none" || strings.Contains(t.State, "://") {
			continue
		}
		if other, ok := owner[t.State]; ok {
			errAt(manifest.FieldPath{"tenants", i}, "tenants %q and %q would share the state file %s; put ${tenant} in the state path", other, t.Name, t.State)
			continue
		}
		owner[t.State] = t.Name
	}
}

// vars turns a vars mapping into strings, checking the names.
func (f *File) vars(p manifest.FieldPath, in map[string]any, errAt func(manifest.FieldPath, string, ...any)) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		if !manifest.ValidVarName(k) {
			errAt(p.Append(k), "variable name %q: use letters, digits and '_', not starting with a digit", k)
			continue
		}
		switch x := v.(type) {
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		}
	}
	return out
}

// envName is a tenant name as an environment variable prefix.
func envName(name string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_").Replace(name))
}
