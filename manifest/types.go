package manifest

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/resource"
)

// Resource is a decoded document of a managed kind (every kind but
// Ownership).
type Resource interface {
	// Key is the identity of the resource.
	Key() Key
	// Document is where the resource was read from.
	Document() *Document
	// Secrets lists the secret fields that are set, with their paths.
	Secrets() []SecretField
	// Protected reports lifecycle.protect.
	Protected() bool
}

// SecretField is one secret field of a resource.
type SecretField struct {
	Path FieldPath
	Ref  SecretRef
}

// Lifecycle holds the lifecycle rules of a resource.
type Lifecycle struct {
	// Protect forbids deleting or replacing the resource without --allow-protected.
	Protect bool `json:"protect,omitempty"`
}

// NameMetadata is the metadata of kinds identified by name alone.
type NameMetadata struct {
	Name string `json:"name"`
}

// Credential is a Run:ai credential asset of one of the five types.
type Credential struct {
	APIVersion string             `json:"apiVersion"`
	Kind       Kind               `json:"kind"`
	Metadata   CredentialMetadata `json:"metadata"`
	Spec       CredentialSpec     `json:"spec"`
	Lifecycle  Lifecycle          `json:"lifecycle,omitzero"`
	doc        *Document
}

// CredentialMetadata names a credential and places it in a scope.
type CredentialMetadata struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	ScopeRef
}

// ScopeRef places a resource in a scope, by id or by name: one of
// clusterId/cluster, departmentId/department, projectId/project as the
// scope needs ("CLUSTER/PROJECT" for a project name found in several
// clusters). Resolution (package orgunit) fills the id of a name in, and
// the name of an id, so that keys use ids and plans show both.
type ScopeRef struct {
	Scope        string `json:"scope"`
	ClusterID    string `json:"clusterId,omitempty"`
	DepartmentID string `json:"departmentId,omitempty"`
	ProjectID    *int32 `json:"projectId,omitempty"`
	Cluster      string `json:"cluster,omitempty"`
	Department   string `json:"department,omitempty"`
	Project      string `json:"project,omitempty"`
}

// ScopeID is the id the scope needs as a string ("" for tenant). Before
// resolution, a scope given by name has its name here, so that two
// documents naming the same unit collide offline too.
func (m ScopeRef) ScopeID() string {
	if id := scopeID(m.Scope, m.ClusterID, m.DepartmentID, m.ProjectID); id != "" {
		return id
	}
	return m.UnitName()
}

// UnitName is the name the scope is given by ("" for tenant, or when only
// an id is given).
func (m ScopeRef) UnitName() string {
	switch m.Scope {
	case ScopeCluster:
		return m.Cluster
	case ScopeDepartment:
		return m.Department
	case ScopeProject:
		return m.Project
	}
	return ""
}

// IDField and NameField are the fields of the scope's id and name
// ("projectId" and "project"; "" for tenant).
func (m ScopeRef) IDField() string { return scopeFields[m.Scope][0] }

// NameField: see IDField.
func (m ScopeRef) NameField() string { return scopeFields[m.Scope][1] }

// scopeFields are the id and name fields of each scope that takes a unit.
var scopeFields = map[string][2]string{
	ScopeCluster:    {"clusterId", "cluster"},
	ScopeDepartment: {"departmentId", "department"},
	ScopeProject:    {"projectId", "project"},
}

// scopeID renders the id of a scope; cluster UUIDs in lower case, as the
// API stores them.
func scopeID(scope, clusterID, departmentID string, projectID *int32) string {
	switch scope {
	case ScopeCluster:
		return strings.ToLower(clusterID)
	case ScopeDepartment:
		return departmentID
	case ScopeProject:
		if projectID != nil {
			return strconv.Itoa(int(*projectID))
		}
	}
	return ""
}

// CredentialSpec holds the fields of every credential type; which ones are
// allowed depends on Type (see the JSON Schema).
type CredentialSpec struct {
	Type                   string                  `json:"type"`
	ExistingSecretName     string                  `json:"existingSecretName,omitempty"`
	AccessKeyID            string                  `json:"accessKeyId,omitempty"`
	SecretAccessKey        *SecretRef              `json:"secretAccessKey,omitempty"`
	User                   string                  `json:"user,omitempty"`
	Password               *SecretRef              `json:"password,omitempty"`
	URL                    string                  `json:"url,omitempty"`
	KeyValuePairs          map[string]SecretRef    `json:"keyValuePairs,omitempty"`
	NGCAPIKey              *SecretRef              `json:"ngc_api_key,omitempty"`
	Private                *bool                   `json:"private,omitempty"`
	WorkloadSupportedTypes *WorkloadSupportedTypes `json:"workloadSupportedTypes,omitempty"`
}

// WorkloadSupportedTypes says which workload types may use a credential.
type WorkloadSupportedTypes struct {
	Inference     *bool  `json:"inference,omitempty"`
	Workspace     *bool  `json:"workspace,omitempty"`
	Training      *bool  `json:"training,omitempty"`
	Distributed   *bool  `json:"distributed,omitempty"`
	DistFramework string `json:"distFramework,omitempty"`
}

// Key implements Resource.
func (c *Credential) Key() Key {
	return Key{Kind: KindCredential, Type: c.Spec.Type, Scope: c.Metadata.Scope, ScopeID: c.Metadata.ScopeID(), Name: c.Metadata.Name}
}

// Document implements Resource.
func (c *Credential) Document() *Document { return c.doc }

// Protected implements Resource.
func (c *Credential) Protected() bool { return c.Lifecycle.Protect }

// Secrets implements Resource.
func (c *Credential) Secrets() []SecretField {
	var out []SecretField
	add := func(name string, r *SecretRef) {
		if r != nil {
			out = append(out, SecretField{Path: FieldPath{"spec", name}, Ref: *r})
		}
	}
	add("secretAccessKey", c.Spec.SecretAccessKey)
	add("password", c.Spec.Password)
	add("ngc_api_key", c.Spec.NGCAPIKey)
	for _, k := range slices.Sorted(maps.Keys(c.Spec.KeyValuePairs)) {
		out = append(out, SecretField{Path: FieldPath{"spec", "keyValuePairs", k}, Ref: c.Spec.KeyValuePairs[k]})
	}
	return out
}

// ServiceAccount is a Run:ai service account (an application identity).
type ServiceAccount struct {
	APIVersion string             `json:"apiVersion"`
	Kind       Kind               `json:"kind"`
	Metadata   NameMetadata       `json:"metadata"`
	Spec       ServiceAccountSpec `json:"spec,omitzero"`
	Lifecycle  Lifecycle          `json:"lifecycle,omitzero"`
	doc        *Document
}

// ServiceAccountSpec is the desired state of a service account.
type ServiceAccountSpec struct {
	// Enabled defaults to true.
	Enabled *bool `json:"enabled,omitempty"`
	// Rotation is a marker; changing it regenerates the secret.
	Rotation string `json:"rotation,omitempty"`
	// SecretFile, when set, receives the one-time secret (mode 0600).
	SecretFile string `json:"secretFile,omitempty"`
	// AccessRules are the roles the account holds, each on a scope.
	AccessRules []AccessRule `json:"accessRules,omitempty"`
}

// IsEnabled applies the default.
func (s ServiceAccountSpec) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// Key implements Resource.
func (s *ServiceAccount) Key() Key { return Key{Kind: KindServiceAccount, Name: s.Metadata.Name} }

// Document implements Resource.
func (s *ServiceAccount) Document() *Document { return s.doc }

// Protected implements Resource.
func (s *ServiceAccount) Protected() bool { return s.Lifecycle.Protect }

// Holds implements Holder: the account's access rules are managed with it
// when its manifest lists them (spec.accessRules, even empty); without the
// field, the rules made elsewhere are left alone.
func (s *ServiceAccount) Holds(k Kind) bool {
	return k == resource.KindAccessRule && s.Spec.AccessRules != nil
}

// Secrets implements Resource: a service account holds none, it produces one.
func (s *ServiceAccount) Secrets() []SecretField { return nil }

// OutputFiles implements Outputter: spec.secretFile receives the secret.
func (s *ServiceAccount) OutputFiles() []OutputFile { return secretFileOutput(s.Spec.SecretFile) }

// AccessKey is a user access key of the calling user.
type AccessKey struct {
	APIVersion string        `json:"apiVersion"`
	Kind       Kind          `json:"kind"`
	Metadata   NameMetadata  `json:"metadata"`
	Spec       AccessKeySpec `json:"spec,omitzero"`
	Lifecycle  Lifecycle     `json:"lifecycle,omitzero"`
	doc        *Document
}

// AccessKeySpec is the desired state of an access key.
type AccessKeySpec struct {
	Rotation   string `json:"rotation,omitempty"`
	SecretFile string `json:"secretFile,omitempty"`
}

// Key implements Resource.
func (a *AccessKey) Key() Key { return Key{Kind: KindAccessKey, Name: a.Metadata.Name} }

// Document implements Resource.
func (a *AccessKey) Document() *Document { return a.doc }

// Protected implements Resource.
func (a *AccessKey) Protected() bool { return a.Lifecycle.Protect }

// Secrets implements Resource.
func (a *AccessKey) Secrets() []SecretField { return nil }

// OutputFiles implements Outputter: spec.secretFile receives the secret.
func (a *AccessKey) OutputFiles() []OutputFile { return secretFileOutput(a.Spec.SecretFile) }

// SeqeraCredential is a Seqera Platform credential.
type SeqeraCredential struct {
	APIVersion string         `json:"apiVersion"`
	Kind       Kind           `json:"kind"`
	Metadata   SeqeraMetadata `json:"metadata"`
	Spec       SeqeraSpec     `json:"spec"`
	Lifecycle  Lifecycle      `json:"lifecycle,omitzero"`
	doc        *Document
}

// SeqeraMetadata names a Seqera credential and its workspace.
type SeqeraMetadata struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// WorkspaceID is optional: without it TOWER_WORKSPACE_ID, or the user's
	// personal workspace, is used.
	WorkspaceID *int64 `json:"workspaceId,omitempty"`
}

// SeqeraSpec is the provider and its keys.
type SeqeraSpec struct {
	Provider string               `json:"provider"`
	Category string               `json:"category,omitempty"`
	BaseURL  string               `json:"baseUrl,omitempty"`
	Keys     map[string]SecretRef `json:"keys"`
}

// Key implements Resource.
func (s *SeqeraCredential) Key() Key {
	k := Key{Kind: KindSeqeraCredential, Scope: ScopeWorkspace, Name: s.Metadata.Name}
	if s.Metadata.WorkspaceID != nil {
		k.ScopeID = strconv.FormatInt(*s.Metadata.WorkspaceID, 10)
	}
	return k
}

// Document implements Resource.
func (s *SeqeraCredential) Document() *Document { return s.doc }

// Protected implements Resource.
func (s *SeqeraCredential) Protected() bool { return s.Lifecycle.Protect }

// Secrets implements Resource: the provider's secret keys.
func (s *SeqeraCredential) Secrets() []SecretField {
	var out []SecretField
	for _, k := range slices.Sorted(maps.Keys(s.Spec.Keys)) {
		if f, ok := SeqeraKeyField(s.Spec.Provider, k); ok && f.Secret {
			out = append(out, SecretField{Path: FieldPath{"spec", "keys", k}, Ref: s.Spec.Keys[k]})
		}
	}
	return out
}

// Ownership declares what a manifest set owns: --prune deletes only inside it.
type Ownership struct {
	APIVersion string        `json:"apiVersion"`
	Kind       Kind          `json:"kind"`
	Metadata   NameMetadata  `json:"metadata"`
	Spec       OwnershipSpec `json:"spec"`
	doc        *Document
}

// Document is where the ownership was read from.
func (o *Ownership) Document() *Document { return o.doc }

// OwnershipSpec holds the selectors and rules.
type OwnershipSpec struct {
	Credentials       []CredentialSelector `json:"credentials,omitempty"`
	ServiceAccounts   *NameSelector        `json:"serviceAccounts,omitempty"`
	AccessKeys        *NameSelector        `json:"accessKeys,omitempty"`
	SeqeraCredentials []SeqeraSelector     `json:"seqeraCredentials,omitempty"`
	Ignore            []Rule               `json:"ignore,omitempty"`
	Protect           []Rule               `json:"protect,omitempty"`
}

// CredentialSelector owns the credentials of one scope, optionally only some
// types or names.
type CredentialSelector struct {
	ScopeRef
	Types []string `json:"types,omitempty"`
	Names []string `json:"names,omitempty"`
}

// NameSelector owns the resources whose names match a glob.
type NameSelector struct {
	Names []string `json:"names"`
}

// SeqeraSelector owns Seqera credentials of a workspace.
type SeqeraSelector struct {
	WorkspaceID *int64   `json:"workspaceId,omitempty"`
	Names       []string `json:"names,omitempty"`
}

// Rule matches resources of a kind (and credential type) by name globs.
type Rule struct {
	Kind  Kind     `json:"kind"`
	Type  string   `json:"type,omitempty"`
	Names []string `json:"names"`
}
