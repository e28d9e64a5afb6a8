package manifest

import "github.com/runai-sync/runai-sync/resource"

// The vocabulary every step shares (kinds, keys, scopes, secrets and secret
// references) lives in package resource, which diff and the providers
// import without the YAML loader; these aliases let manifest code and its
// users keep writing manifest.Key.

// Kind is resource.Kind.
type Kind = resource.Kind

// Key is resource.Key.
type Key = resource.Key

// Secret is resource.Secret.
type Secret = resource.Secret

// SecretRef is resource.SecretRef.
type SecretRef = resource.SecretRef

// OutputRef is resource.OutputRef.
type OutputRef = resource.OutputRef

// SopsRef is resource.SopsRef.
type SopsRef = resource.SopsRef

// CommandRef is resource.CommandRef.
type CommandRef = resource.CommandRef

// The kinds, scopes, output fields and limits of package resource.
const (
	KindCredential       = resource.KindCredential
	KindServiceAccount   = resource.KindServiceAccount
	KindAccessKey        = resource.KindAccessKey
	KindSeqeraCredential = resource.KindSeqeraCredential
	KindOwnership        = resource.KindOwnership
	KindAccessRule       = resource.KindAccessRule

	ScopeTenant     = resource.ScopeTenant
	ScopeCluster    = resource.ScopeCluster
	ScopeDepartment = resource.ScopeDepartment
	ScopeProject    = resource.ScopeProject
	ScopeWorkspace  = resource.ScopeWorkspace

	FieldClientID     = resource.FieldClientID
	FieldClientSecret = resource.FieldClientSecret

	Redacted              = resource.Redacted
	EncodingBase64        = resource.EncodingBase64
	Forms                 = resource.Forms
	DefaultCommandTimeout = resource.DefaultCommandTimeout
	MaxCommandTimeout     = resource.MaxCommandTimeout
	MinRedactLen          = resource.MinRedactLen
	MaxRedactLen          = resource.MaxRedactLen
)

// Kinds and Scopes are resource.Kinds and resource.Scopes.
var (
	Kinds  = resource.Kinds
	Scopes = resource.Scopes
)

// The secret and redaction functions of package resource.
var (
	NewSecret          = resource.NewSecret
	NewPublicValue     = resource.NewPublicValue
	RegisterSecret     = resource.RegisterSecret
	ReleaseSecret      = resource.ReleaseSecret
	RegisterURLSecrets = resource.RegisterURLSecrets
	Redact             = resource.Redact
	RedactBytes        = resource.RedactBytes
)

// APIVersion is the only apiVersion this build reads.
const APIVersion = "runai-sync/v1"

// Credential types, named as the vendor's asset kinds.
const (
	TypeAccessKey      = "accessKey"
	TypePassword       = "password"
	TypeDockerRegistry = "dockerRegistry"
	TypeGenericSecret  = "genericSecret"
	TypeNGCAPIKey      = "ngcApiKey"
)

// CredentialTypes lists the credential types.
var CredentialTypes = []string{TypeAccessKey, TypePassword, TypeDockerRegistry, TypeGenericSecret, TypeNGCAPIKey}
