// Package secretsource resolves the secret references that need more than
// an environment variable or a plain file: fromSops (a value inside a
// SOPS-encrypted YAML, JSON or dotenv file, decrypted with SOPS's own key
// sources: age, PGP, cloud KMS) and fromCommand (the standard output of a
// program run without a shell, only when the allow-list names it).
//
// It implements manifest.Sources for manifest.Resolver, which confines file
// paths to the allowed roots and places every error at its manifest field.
// A Sources value lives for one run: each file is decrypted once, each
// distinct command runs once, and both happen in parallel when the
// resolver prepares a manifest set. Every value leaves this package as a
// manifest.Secret made by manifest.NewSecret; no value, decrypted or
// printed by a program, ever appears in an error.
//
// It must not read manifests, talk to the Run:ai or Seqera APIs, or print.
package secretsource
