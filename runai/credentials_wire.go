package runai

import (
	"github.com/runai-sync/runai-sync/manifest"
)

// credentialsPath is the combined list of every credential type.
const credentialsPath = "/api/v1/asset/credentials"

// credType is one of the five credential asset types.
type credType struct {
	// Type is the manifest's spec.type and the API's meta.kind, which also
	// keys the spec in the combined list.
	Type string
	// Path is the URL segment under credentialsPath.
	Path string
}

// credTypes are the credential types, in the order of the API docs.
var credTypes = []credType{
	{manifest.TypeAccessKey, "access-key"},
	{manifest.TypePassword, "password"},
	{manifest.TypeDockerRegistry, "docker-registry"},
	{manifest.TypeGenericSecret, "generic-secret"},
	{manifest.TypeNGCAPIKey, "ngc-api-key"},
}

// credTypeOf finds the type of a manifest spec.type or API meta.kind.
func credTypeOf(t string) (credType, bool) {
	for _, ct := range credTypes {
		if ct.Type == t {
			return ct, true
		}
	}
	return credType{}, false
}

// collection is the path of a type's list and create endpoint.
func (t credType) collection() string { return credentialsPath + "/" + t.Path }

// item is the path of one asset of the type.
func (t credType) item(id string) string { return t.collection() + "/" + pathEscape(id) }

// assetMeta is the meta of an asset as the API returns it. Server-set
// fields runai-sync ignores (kind aside) are not decoded.
type assetMeta struct {
	ID                     string         `json:"id"`
	Name                   string         `json:"name"`
	Kind                   string         `json:"kind"`
	Scope                  string         `json:"scope"`
	Description            *string        `json:"description"`
	ProjectID              *int64         `json:"projectId"`
	DepartmentID           *string        `json:"departmentId"`
	ClusterID              *string        `json:"clusterId"`
	Private                *bool          `json:"private"`
	WorkloadSupportedTypes *workloadTypes `json:"workloadSupportedTypes"`
	// DeletedAt is set while the asset is being deleted.
	DeletedAt *string `json:"deletedAt"`
}

// workloadTypes is meta.workloadSupportedTypes, on the wire both ways.
type workloadTypes struct {
	Inference     *bool   `json:"inference,omitempty"`
	Workspace     *bool   `json:"workspace,omitempty"`
	Training      *bool   `json:"training,omitempty"`
	Distributed   *bool   `json:"distributed,omitempty"`
	DistFramework *string `json:"distFramework,omitempty"`
}

// assetSpec is the readable part of a credential's spec (the API never
// returns secret values; generic-secret keys come without values).
type assetSpec struct {
	ExistingSecretName *string `json:"existingSecretName"`
	AccessKeyID        *string `json:"accessKeyId"`
	User               *string `json:"user"`
	URL                *string `json:"url"`
	KeyValuePairs      []struct {
		Key *string `json:"key"`
	} `json:"keyValuePairs"`
}

// namedRef is a workload or asset that uses a credential.
type namedRef struct {
	Name string `json:"name"`
}

// usageInfo is usedBy (with usageInfo=true).
type usageInfo struct {
	Workspaces  []namedRef `json:"workspaces"`
	Trainings   []namedRef `json:"trainings"`
	Distributed []namedRef `json:"distributed"`
	Inferences  []namedRef `json:"inferences"`
	Templates   []namedRef `json:"templates"`
	Assets      *struct {
		Environment  *namedRef  `json:"environment"`
		Environments []namedRef `json:"environments"`
		Compute      *namedRef  `json:"compute"`
		Computes     []namedRef `json:"computes"`
		Datasources  []struct {
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"datasources"`
	} `json:"assets"`
}

// statusInfo is status (with statusInfo=true).
type statusInfo struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// combinedList is the reply of GET /api/v1/asset/credentials: each
// entry's spec is keyed by its kind.
type combinedList struct {
	Entries []struct {
		Meta   assetMeta             `json:"meta"`
		Spec   map[string]*assetSpec `json:"spec"`
		UsedBy *usageInfo            `json:"usedBy"`
		Status *statusInfo           `json:"status"`
	} `json:"entries"`
}

// typedAsset is an asset of one type's endpoints (get, create, update).
type typedAsset struct {
	Meta   assetMeta   `json:"meta"`
	Spec   *assetSpec  `json:"spec"`
	UsedBy *usageInfo  `json:"usedBy"`
	Status *statusInfo `json:"status"`
}

// typedList is the reply of a type's list endpoint.
type typedList struct {
	Entries []typedAsset `json:"entries"`
}

// liveAsset is an asset in either shape.
type liveAsset struct {
	Meta   assetMeta
	Spec   assetSpec
	UsedBy *usageInfo
	Status *statusInfo
}

// assets flattens a combined list.
func (l combinedList) assets() []liveAsset {
	out := make([]liveAsset, 0, len(l.Entries))
	for _, e := range l.Entries {
		a := liveAsset{Meta: e.Meta, UsedBy: e.UsedBy, Status: e.Status}
		if s := e.Spec[e.Meta.Kind]; s != nil {
			a.Spec = *s
		}
		out = append(out, a)
	}
	return out
}

// asset converts a typed asset.
func (t typedAsset) asset() liveAsset {
	a := liveAsset{Meta: t.Meta, UsedBy: t.UsedBy, Status: t.Status}
	if t.Spec != nil {
		a.Spec = *t.Spec
	}
	return a
}

// createRequest is the body of POST …/<type>. It holds secret values:
// it goes to the API and nowhere else.
type createRequest struct {
	Meta createMeta `json:"meta"`
	Spec createSpec `json:"spec"`
}

// createMeta is the meta of a create: the scope takes exactly its own id.
type createMeta struct {
	Name                   string         `json:"name"`
	Description            string         `json:"description,omitempty"`
	Scope                  string         `json:"scope"`
	ClusterID              string         `json:"clusterId,omitempty"`
	DepartmentID           string         `json:"departmentId,omitempty"`
	ProjectID              *int32         `json:"projectId,omitempty"`
	Private                *bool          `json:"private,omitempty"`
	WorkloadSupportedTypes *workloadTypes `json:"workloadSupportedTypes,omitempty"`
}

// createSpec is the spec of a create.
type createSpec struct {
	ExistingSecretName string     `json:"existingSecretName,omitempty"`
	AccessKeyID        string     `json:"accessKeyId,omitempty"`
	SecretAccessKey    string     `json:"secretAccessKey,omitempty"`
	User               string     `json:"user,omitempty"`
	Password           string     `json:"password,omitempty"`
	URL                string     `json:"url,omitempty"`
	KeyValuePairs      []keyValue `json:"keyValuePairs,omitempty"`
	NGCAPIKey          string     `json:"ngc_api_key,omitempty"`
}

// keyValue is one generic-secret pair.
type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// updateRequest is the body of PUT …/<type>/{id}: only the description
// can change. It is always sent, null to clear it: a server reads an
// absent field as "unchanged".
type updateRequest struct {
	Meta struct {
		Description *string `json:"description"`
	} `json:"meta"`
}
