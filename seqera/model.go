package seqera

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Attribute paths of a credential in the common model.
const (
	attrDescription = "metadata.description"
	attrProvider    = "spec.provider"
	attrCategory    = "spec.category"
	attrBaseURL     = "spec.baseUrl"
	attrKeys        = "spec.keys." // + the key's name
)

// inPlace lists what PUT can change: every path of a provider's
// credential but spec.provider, which the platform refuses to change.
func inPlace(provider string) []string {
	paths := []string{attrDescription, attrCategory, attrBaseURL}
	if p, ok := manifest.LookupSeqeraProvider(provider); ok {
		for _, k := range p.Keys {
			paths = append(paths, attrKeys+k.Name)
		}
	}
	return paths
}

// credFields are the comparable, non-secret fields of a credential, from a
// manifest or from the API. Both sides go through the same attrs method, so
// equal meaning is equal text.
type credFields struct {
	Description string
	Provider    string
	Category    string
	BaseURL     string
	// Keys are the non-secret keys with their values.
	Keys map[string]string
}

// attrs renders the fields, Go-quoted and absent when empty.
func (f credFields) attrs() map[string]string {
	m := map[string]string{}
	str := func(path, v string) {
		if v != "" {
			m[path] = strconv.Quote(v)
		}
	}
	str(attrDescription, f.Description)
	str(attrProvider, f.Provider)
	str(attrCategory, f.Category)
	str(attrBaseURL, f.BaseURL)
	for k, v := range f.Keys {
		str(attrKeys+k, v)
	}
	return m
}

// liveFields reads the comparable fields of a live credential: the keys
// the provider defines as not secret, when they are non-empty strings.
// The discriminator and fields runai-sync does not know are left out.
func liveFields(cr liveCredential) credFields {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	f := credFields{Description: str(cr.Description), Provider: cr.Provider, Category: str(cr.Category), BaseURL: str(cr.BaseURL)}
	p, _ := manifest.LookupSeqeraProvider(cr.Provider)
	for _, k := range p.Keys {
		var v string
		if k.Secret || json.Unmarshal(cr.Keys[k.Name], &v) != nil || v == "" {
			continue
		}
		if f.Keys == nil {
			f.Keys = map[string]string{}
		}
		f.Keys[k.Name] = v
	}
	return f
}

// plainKeyPaths lists the paths of a provider's keys that are not secret.
func plainKeyPaths(provider string) []string {
	var out []string
	p, _ := manifest.LookupSeqeraProvider(provider)
	for _, k := range p.Keys {
		if !k.Secret {
			out = append(out, attrKeys+k.Name)
		}
	}
	return out
}

// unread lists the paths a reply did not show: every non-secret key when
// it carries no keys at all (the seed's reply shape).
func unread(cr liveCredential) []string {
	if cr.Keys != nil {
		return nil
	}
	return plainKeyPaths(cr.Provider)
}

// liveObject builds the live object of a credential listed from workspace
// ws ("" for the personal workspace).
func liveObject(cr liveCredential, ws string) *diff.Object {
	return &diff.Object{
		Key:      manifest.Key{Kind: manifest.KindSeqeraCredential, Scope: manifest.ScopeWorkspace, ScopeID: ws, Name: cr.Name},
		Provider: ProviderName,
		ID:       cr.ID,
		Attrs:    liveFields(cr).attrs(),
		Unread:   unread(cr),
		InPlace:  inPlace(cr.Provider),
	}
}

// desiredObject builds the desired object of a manifest credential,
// resolving its fromEnv and fromFile keys through r. Every key that cannot
// be resolved is a diagnostic; the object is returned anyway.
func desiredObject(s *manifest.SeqeraCredential, r manifest.Resolver) (*diff.Object, manifest.Diagnostics) {
	f := credFields{Description: s.Metadata.Description, Provider: s.Spec.Provider, Category: s.Spec.Category, BaseURL: s.Spec.BaseURL}
	o := &diff.Object{
		Key:      s.Key(),
		Provider: ProviderName,
		InPlace:  inPlace(s.Spec.Provider),
		// PUT replaces the whole credential: an update sends every key.
		ResendsSecrets: true,
		// A platform that answers without keys hides even these.
		Fingerprinted: plainKeyPaths(s.Spec.Provider),
		Protected:     s.Protected(),
	}
	var diags manifest.Diagnostics
	prov, known := manifest.LookupSeqeraProvider(s.Spec.Provider)
	if !known {
		diags = append(diags, manifest.FieldDiagnostic(s, manifest.FieldPath{"spec", "provider"},
			fmt.Sprintf("unknown provider %q: use one of %s", s.Spec.Provider, providerNames())))
	}
	for _, name := range slices.Sorted(maps.Keys(s.Spec.Keys)) {
		field := manifest.SecretField{Path: manifest.FieldPath{"spec", "keys", name}, Ref: s.Spec.Keys[name]}
		k, ok := manifest.SeqeraKeyField(s.Spec.Provider, name)
		switch {
		case known && !ok:
			diags = append(diags, manifest.FieldDiagnostic(s, field.Path, fmt.Sprintf("provider %s has no key %q (its keys: %s)", prov.Name, name, keyNames(prov))))
		case k.Secret:
			if d := apply.DesiredSecret(o, attrKeys+name, s, field, r); d != nil {
				diags = append(diags, *d)
			}
		default:
			v, d := plainValue(s, field, r)
			diags = append(diags, d...)
			if f.Keys == nil {
				f.Keys = map[string]string{}
			}
			f.Keys[name] = v
		}
	}
	o.Attrs = f.attrs()
	return o, diags
}

// plainValue is the value of a key that is not secret: it is compared in
// the plan as text, so it must be known before the apply.
func plainValue(s *manifest.SeqeraCredential, f manifest.SecretField, r manifest.Resolver) (string, manifest.Diagnostics) {
	if kind, out := f.Ref.Output(); out != nil {
		field := "fromServiceAccount"
		if kind == manifest.KindAccessKey {
			field = "fromAccessKey"
		}
		return "", manifest.Diagnostics{manifest.FieldDiagnostic(s, f.Path.Append(field),
			fmt.Sprintf("%s is not a secret key of provider %s: give its value as a string, fromEnv or fromFile (values made during the apply go to secret keys only)", f.Path[len(f.Path)-1], s.Spec.Provider))}
	}
	v, d := r.ResolveField(s, f)
	if d != nil {
		return "", manifest.Diagnostics{*d}
	}
	// Not secret, so the plan may show it, but only when the manifest
	// writes it: a value read from the environment or a file stays
	// scrubbed, or a pull request could print any variable of the CI job
	// (a token, another tenant's secret) by naming it as a username.
	if f.Ref.IsLiteral() {
		manifest.ReleaseSecret(v.Reveal())
	}
	return v.Reveal(), nil
}

func providerNames() string {
	names := make([]string, len(manifest.SeqeraProviders))
	for i, p := range manifest.SeqeraProviders {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func keyNames(p manifest.SeqeraProvider) string {
	names := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// Workspaces lists the workspaces a manifest set names: those of its
// SeqeraCredentials (metadata.workspaceId, "" when absent: the personal
// workspace) and of its Ownership seqeraCredentials selectors. They are
// sorted ("" first, then by number) and unique; nil when the set names no
// Seqera resource, so that such a run never contacts Seqera.
func Workspaces(set *manifest.Set) []string {
	var ws []string
	for _, r := range set.Resources {
		if s, ok := r.(*manifest.SeqeraCredential); ok {
			ws = append(ws, s.Key().ScopeID)
		}
	}
	for _, o := range set.Ownerships {
		for _, sel := range o.Spec.SeqeraCredentials {
			id := ""
			if sel.WorkspaceID != nil {
				id = strconv.FormatInt(*sel.WorkspaceID, 10)
			}
			ws = append(ws, id)
		}
	}
	return sortWorkspaces(ws)
}

// sortWorkspaces sorts workspace ids ("" first, then by number) and drops
// repeats.
func sortWorkspaces(ws []string) []string {
	if len(ws) == 0 {
		return nil
	}
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b string) int {
		if c := cmp.Compare(len(a), len(b)); c != 0 && a != "" && b != "" && isDigits(a) && isDigits(b) {
			return c
		}
		return cmp.Compare(a, b)
	})
	return slices.Compact(ws)
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}
