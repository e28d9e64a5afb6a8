// Package manifest reads runai-sync manifests from files and directories into
// typed documents that remember where every field came from.
//
// It owns the first step of the pipeline (file -> model): walking the paths a
// user gives with -f, splitting multi-document YAML and JSON, guarding against
// hostile input (size, nesting depth, alias bombs, duplicate keys, invalid
// UTF-8), and decoding each document into one of the kinds of DESIGN.md:
// Credential, ServiceAccount, AccessKey, SeqeraCredential and Ownership. It
// also owns the vocabulary the rest of the program shares about resources:
// Key (the identity of a resource), Secret (a value that can never be printed)
// and SecretRef (a literal or a reference to where a secret comes from), and
// Diagnostic (a message tied to file:line:col and a field path).
//
// With Loader.Vars set (a tenant of the tenants file), it substitutes
// ${tenant} and ${vars.NAME} in string values before anything checks them.
//
// Files in the plain subset of YAML that manifests are mostly written in
// are read by a small parser of its own (fastyaml.go), which answers only
// when it agrees with go.yaml.in/yaml/v3; every other file, and every
// position a diagnostic needs, goes through yaml/v3. Loader.Each lets the
// caller check each document as its file is read and drop its value
// (DropValue); Generic converts the text again if a dropped value is asked
// for.
//
// # Files and secrets (for every secret source)
//
// ReadRegularFile(name, limit) is the one way to read a file a user names:
// it refuses FIFOs, devices, sockets and directories before reading a byte,
// checks the size before reading (FileTooLargeError), and never blocks. The
// loader reads manifests with it (MaxFileSize); fromFile and every later
// file-based secret source should too (with their own limit).
//
// NewSecret registers its value for redaction (redact.go): everything the
// CLI prints passes through Redact, which scrubs every registered value, so
// a secret source that returns its values as NewSecret(...) is covered with
// nothing more to do. A value that is not a Secret but must never be
// printed (a password inside a URL) is registered with RegisterSecret or
// RegisterURLSecrets.
//
// It resolves secret references only when asked (Resolver: plan and apply
// do, validate never does): fromEnv and fromFile itself, with fromFile and
// fromSops files confined to the allowed roots and read only when regular
// and small; fromSops and fromCommand through a Sources implementation
// (package internal/secretsource). It must not validate against the JSON
// Schema (package schema does) or talk to any API.
package manifest
