package diff

import (
	"slices"
	"time"

	"github.com/runai-sync/runai-sync/resource"
)

// Object is one resource in the common model: desired (built by a provider
// from a manifest) or live (built by a provider from the API).
type Object struct {
	Key resource.Key `json:"key"`
	// Provider names the provider that owns the object ("runai", "seqera").
	Provider string `json:"provider"`
	// ID is the live id; empty for a desired object.
	ID string `json:"id,omitempty"`
	// Attrs holds the comparable fields that are not secret, by manifest
	// path ("metadata.description", "spec.user"), in a canonical text form:
	// the provider normalises defaults so that equal meaning is equal text,
	// and leaves out fields at their default.
	Attrs map[string]string `json:"attrs,omitempty"`
	// Secrets holds the secret fields by path.
	Secrets map[string]SecretAttr `json:"secrets,omitempty"`
	// Fingerprinted lists, for a desired object, paths of Attrs that the
	// state also records as fingerprints, because the API may not return
	// them (Seqera's non-secret keys).
	Fingerprinted []string `json:"-"`
	// Unread lists, for a live object, paths of Attrs the API did not
	// return: their values are unknown unless a Record gives them.
	Unread []string `json:"-"`
	// InPlace lists the paths the API can change without a replace; "*"
	// means every path.
	InPlace []string `json:"-"`
	// ResendsSecrets is set when an update in place sends every secret field
	// again (Seqera's PUT replaces the whole credential), so an update needs
	// every one-time value it takes, as a create does.
	ResendsSecrets bool `json:"-"`
	// Regenerates lists the paths whose change regenerates the object's
	// one-time outputs (a service account's "spec.rotation").
	Regenerates []string `json:"-"`
	// Outputs are the outputs a live object shows at any time (a service
	// account's clientId); one-time outputs (clientSecret) are never here.
	Outputs map[string]resource.Secret `json:"-"`
	// UsedBy names what uses the live object, e.g. "workspace train-llm".
	UsedBy []string `json:"usedBy,omitempty"`
	// Protected is lifecycle.protect of the manifest (desired).
	Protected bool `json:"-"`
	// Status is the live sync status, e.g. "No issues found".
	Status string `json:"status,omitempty"`
	// CreatedAt is when a live service account or access key was made
	// (nil when the API does not say); audit reads it, the plan does not.
	CreatedAt *time.Time `json:"-"`
	// LastLogin is when a live service account or access key last logged
	// in (nil: never); audit reads it, the plan does not.
	LastLogin *time.Time `json:"-"`
	// Unhealthy is set by the provider on a live object that does not work
	// as it should (a credential that did not sync to its clusters);
	// StatusMessage says why, when the API says.
	Unhealthy     bool   `json:"-"`
	StatusMessage string `json:"-"`
	// Settings holds, for a desired object, what the provider needs to act
	// on it that is not compared, by manifest path, as text: where a
	// one-time secret is also written ("spec.secretFile"). With Attrs,
	// Secrets and Key it is all a provider builds its requests from.
	Settings map[string]string `json:"-"`
}

// SecretAttr is a secret field. Its value never leaves memory: it is not
// marshalled, and Fingerprint is a keyed hash, never the value.
type SecretAttr struct {
	// Source says where the value comes from ("env TEAM_A_S3_SECRET"),
	// without the value.
	Source string `json:"source,omitempty"`
	// Fingerprint identifies the value: for a live field the hash recorded
	// when it was last applied (a Record's, on the live object as
	// compared). A desired field's is the hash of Value by Recorded.Sum;
	// this field counts for it only without a Sum or a Value. Empty when
	// unknown.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Output is set when the value is produced by another resource during
	// the apply (a service account's client secret).
	Output *OutputRef `json:"output,omitempty"`
	// Value is the resolved value of a desired field (literal, env, file).
	Value resource.Secret `json:"-"`
}

// OutputRef names an output of another resource.
type OutputRef struct {
	Key   resource.Key `json:"key"`
	Field string       `json:"field"`
}

// CanChangeInPlace reports whether the API can change path without a
// replace.
func (o *Object) CanChangeInPlace(path string) bool {
	return slices.Contains(o.InPlace, "*") || slices.Contains(o.InPlace, path)
}
