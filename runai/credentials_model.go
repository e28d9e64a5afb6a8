package runai

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Attribute paths of a credential in the common model.
const (
	attrDescription        = "metadata.description"
	attrExistingSecretName = "spec.existingSecretName"
	attrAccessKeyID        = "spec.accessKeyId"
	attrUser               = "spec.user"
	attrURL                = "spec.url"
	attrKeyValuePairs      = "spec.keyValuePairs"
	attrPrivate            = "spec.private"
	attrWorkloadTypes      = "spec.workloadSupportedTypes"
)

// credentialInPlace lists what PUT can change: the description only.
// Any other change to a credential is a replace.
var credentialInPlace = []string{attrDescription}

// credFields are the comparable fields of a credential, from a manifest or
// from the API, before they are rendered as Attrs. Both sides go through
// the same attrs method, so equal meaning is equal text.
type credFields struct {
	Description        string
	ExistingSecretName string
	AccessKeyID        string
	User               string
	URL                string
	Keys               []string // generic-secret keys
	Private            bool
	Workloads          workloadTypes
}

// attrs renders the fields: strings quoted and absent when empty, keys as
// a sorted JSON array, private only when true, workload types when set.
func (f credFields) attrs() map[string]string {
	m := map[string]string{}
	str := func(path, v string) {
		if v != "" {
			m[path] = strconv.Quote(v)
		}
	}
	boolean := func(path string, v *bool) {
		if v != nil {
			m[path] = strconv.FormatBool(*v)
		}
	}
	str(attrDescription, f.Description)
	str(attrExistingSecretName, f.ExistingSecretName)
	str(attrAccessKeyID, f.AccessKeyID)
	str(attrUser, f.User)
	str(attrURL, f.URL)
	if len(f.Keys) > 0 {
		keys := slices.Clone(f.Keys)
		slices.Sort(keys)
		b, _ := json.Marshal(slices.Compact(keys))
		m[attrKeyValuePairs] = string(b)
	}
	if f.Private {
		m[attrPrivate] = "true"
	}
	w := f.Workloads
	boolean(attrWorkloadTypes+".inference", w.Inference)
	boolean(attrWorkloadTypes+".workspace", w.Workspace)
	boolean(attrWorkloadTypes+".training", w.Training)
	boolean(attrWorkloadTypes+".distributed", w.Distributed)
	if w.DistFramework != nil {
		str(attrWorkloadTypes+".distFramework", *w.DistFramework)
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// manifestFields reads the comparable fields of a manifest credential.
func manifestFields(c *manifest.Credential) credFields {
	s := c.Spec
	f := credFields{
		Description:        c.Metadata.Description,
		ExistingSecretName: s.ExistingSecretName,
		AccessKeyID:        s.AccessKeyID,
		User:               s.User,
		URL:                s.URL,
		Private:            s.Private != nil && *s.Private,
	}
	for k := range s.KeyValuePairs {
		f.Keys = append(f.Keys, k)
	}
	if w := s.WorkloadSupportedTypes; w != nil {
		f.Workloads = workloadTypes{Inference: w.Inference, Workspace: w.Workspace, Training: w.Training, Distributed: w.Distributed}
		if w.DistFramework != "" {
			f.Workloads.DistFramework = &w.DistFramework
		}
	}
	return f
}

// desiredFields reads the fields of a desired object back from its Attrs:
// the inverse of attrs, for the requests of an apply. Text that is not
// quoted (a plan built by hand) is taken as it stands. Its errors name the
// path, never a value.
func desiredFields(d *diff.Object) (credFields, error) {
	var err error
	fail := func(path, want string) {
		if err == nil {
			err = fmt.Errorf("%s: the plan holds no %s for it", path, want)
		}
	}
	str := func(path string) string {
		q, ok := d.Attrs[path]
		if !ok {
			return ""
		}
		if v, err := strconv.Unquote(q); err == nil {
			return v
		}
		return q
	}
	boolean := func(path string) *bool {
		v, ok := d.Attrs[path]
		if !ok {
			return nil
		}
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			fail(path, "true or false")
			return nil
		}
		return &b
	}
	f := credFields{
		Description:        str(attrDescription),
		ExistingSecretName: str(attrExistingSecretName),
		AccessKeyID:        str(attrAccessKeyID),
		User:               str(attrUser),
		URL:                str(attrURL),
		Workloads: workloadTypes{
			Inference:   boolean(attrWorkloadTypes + ".inference"),
			Workspace:   boolean(attrWorkloadTypes + ".workspace"),
			Training:    boolean(attrWorkloadTypes + ".training"),
			Distributed: boolean(attrWorkloadTypes + ".distributed"),
		},
	}
	if p := boolean(attrPrivate); p != nil {
		f.Private = *p
	}
	if v := str(attrWorkloadTypes + ".distFramework"); v != "" {
		f.Workloads.DistFramework = &v
	}
	if v, ok := d.Attrs[attrKeyValuePairs]; ok && json.Unmarshal([]byte(v), &f.Keys) != nil {
		fail(attrKeyValuePairs, "JSON array of keys")
	}
	return f, err
}

// assetFields reads the comparable fields of a live asset.
func assetFields(a liveAsset) credFields {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	f := credFields{
		Description:        str(a.Meta.Description),
		ExistingSecretName: str(a.Spec.ExistingSecretName),
		AccessKeyID:        str(a.Spec.AccessKeyID),
		User:               str(a.Spec.User),
		URL:                str(a.Spec.URL),
		Private:            a.Meta.Private != nil && *a.Meta.Private,
	}
	for _, kv := range a.Spec.KeyValuePairs {
		if kv.Key != nil && *kv.Key != "" {
			f.Keys = append(f.Keys, *kv.Key)
		}
	}
	if w := a.Meta.WorkloadSupportedTypes; w != nil {
		f.Workloads = *w
		if w.DistFramework != nil && *w.DistFramework == "" {
			f.Workloads.DistFramework = nil
		}
	}
	return f
}

// credentialKey is the key of a manifest credential, with the cluster id
// in the lower case the API uses.
func credentialKey(c *manifest.Credential) manifest.Key {
	k := c.Key()
	if k.Scope == manifest.ScopeCluster {
		k.ScopeID = strings.ToLower(k.ScopeID)
	}
	return k
}

// liveKey is the key of a live asset; ok is false for assets runai-sync
// does not manage (scope system, unknown kinds, missing scope ids). For
// project and department scope the API also fills clusterId: ignored.
func liveKey(m assetMeta) (manifest.Key, bool) {
	if _, known := credTypeOf(m.Kind); !known || m.Name == "" {
		return manifest.Key{}, false
	}
	k := manifest.Key{Kind: manifest.KindCredential, Type: m.Kind, Scope: m.Scope, Name: m.Name}
	switch m.Scope {
	case manifest.ScopeTenant:
	case manifest.ScopeProject:
		if m.ProjectID == nil {
			return k, false
		}
		k.ScopeID = formatProjectID(*m.ProjectID)
	case manifest.ScopeDepartment:
		if m.DepartmentID == nil || *m.DepartmentID == "" {
			return k, false
		}
		k.ScopeID = *m.DepartmentID
	case manifest.ScopeCluster:
		if m.ClusterID == nil || *m.ClusterID == "" {
			return k, false
		}
		k.ScopeID = strings.ToLower(*m.ClusterID)
	default: // system, or a scope this version does not know
		return k, false
	}
	return k, true
}

// desiredCredential builds the desired object of a manifest credential,
// resolving its fromEnv and fromFile secrets through r. Every reference
// that cannot be resolved is a diagnostic; the object is returned anyway.
func desiredCredential(c *manifest.Credential, r manifest.Resolver) (*diff.Object, manifest.Diagnostics) {
	o := &diff.Object{
		Key:       credentialKey(c),
		Provider:  ProviderName,
		Attrs:     manifestFields(c).attrs(),
		InPlace:   credentialInPlace,
		Protected: c.Protected(),
	}
	var diags manifest.Diagnostics
	for _, f := range c.Secrets() {
		if d := apply.DesiredSecret(o, secretPath(f.Path), c, f, r); d != nil {
			diags = append(diags, *d)
		}
	}
	return o, diags
}

// secretPath renders a secret field's path as the model's dotted path:
// spec.password, spec.keyValuePairs.AWS_KEY.
func secretPath(p manifest.FieldPath) string {
	var b strings.Builder
	for i, e := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		switch e := e.(type) {
		case string:
			b.WriteString(e)
		case int:
			b.WriteString(strconv.Itoa(e))
		default:
			fmt.Fprint(&b, e)
		}
	}
	return b.String()
}

// liveCredential builds the live object of an asset; ok is false for
// assets runai-sync does not manage and for assets being deleted (they are
// going: never planned again, never live).
func liveCredential(a liveAsset) (*diff.Object, bool) {
	key, ok := liveKey(a.Meta)
	if !ok || a.beingDeleted() {
		return nil, false
	}
	o := &diff.Object{
		Key:      key,
		Provider: ProviderName,
		ID:       a.Meta.ID,
		Attrs:    assetFields(a).attrs(),
		InPlace:  credentialInPlace,
		UsedBy:   usedBy(a.UsedBy),
	}
	if a.Status != nil {
		o.Status = a.Status.Status
		switch o.Status {
		case statusFailed, statusIssues, statusDeleteFailed:
			o.Unhealthy, o.StatusMessage = true, a.Status.Message
		}
	}
	return o, true
}

// usedBy lists what uses a credential, sorted: "workspace train-llm",
// "template base", "datasource s3-data".
func usedBy(u *usageInfo) []string {
	if u == nil {
		return nil
	}
	var out []string
	add := func(kind string, refs []namedRef) {
		for _, r := range refs {
			out = append(out, kind+" "+r.Name)
		}
	}
	add("workspace", u.Workspaces)
	add("training", u.Trainings)
	add("distributed", u.Distributed)
	add("inference", u.Inferences)
	add("template", u.Templates)
	if a := u.Assets; a != nil {
		if a.Environment != nil {
			add("environment", []namedRef{*a.Environment})
		}
		add("environment", a.Environments)
		if a.Compute != nil {
			add("compute", []namedRef{*a.Compute})
		}
		add("compute", a.Computes)
		for _, d := range a.Datasources {
			out = append(out, "datasource "+d.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func init() {
	register(manifest.KindCredential, kind{
		inScope: func(s Scope) bool { return s.Credentials },
		desired: func(_ *Provider, set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics) {
			var objs []*diff.Object
			var diags manifest.Diagnostics
			for _, res := range set.Resources {
				if c, ok := res.(*manifest.Credential); ok {
					o, ds := desiredCredential(c, r)
					objs = append(objs, o)
					diags = append(diags, ds...)
				}
			}
			return objs, diags
		},
		snapshot: (*Provider).snapshotCredentials,
		do:       (*Provider).doCredential,
	})
}
