// Package resource is the vocabulary every step of the pipeline shares, with
// no step of its own: Kind and the registry of kind descriptors (kinds.go),
// Key and scopes (key.go), Secret and SecretRef (secret.go), and the
// redaction every printed byte passes through (redact.go).
//
// It imports nothing of runai-sync, so that diff, apply, the providers and
// the state compare and carry out objects without the YAML loader (package
// manifest keeps aliases of these names for its readers).
//
// # Adding a kind
//
// A kind is one Descriptor in registry (kinds.go): whether manifests hold
// it as a document, its level in the order of an apply, its provider, and
// how plans, JSON and messages name it. diff orders and renders by it,
// internal/rest names objects by it, schema compiles a schema per document
// kind. Everything else about the kind lives in its own files: its manifest
// type and decoder (package manifest), its desired and live objects and
// its API calls (its provider's package, which registers the kind's
// handler there), its export. No other package has a switch on kinds.
package resource
