// Package export turns live objects (as the providers' snapshots give them)
// back into manifests, for `runai-sync export`: a tenant managed by hand
// becomes a manifest set to review and commit.
//
// Secret values cannot be read from the APIs: each secret field becomes a
// fromEnv reference to a variable named after the object and the field
// (TEAM_A_S3_SECRET_ACCESS_KEY), which the caller lists so the user knows
// what to set. Objects that live under another (an access rule under its
// service account, resource.Descriptor.Under) are written into that
// object's manifest (spec.accessRules), not as documents of their own. It
// owns no IO: it maps objects to documents.
//
// export.go writes what every kind shares (apiVersion, kind, name, the
// attributes at their paths); what a kind adds (scope fields, secret
// references, defaults left out) is in the kind's own file (credential.go,
// seqera.go, identities.go), registered in kinds.go's table by an init
// function.
package export
