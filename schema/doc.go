// Package schema owns validation: the embedded JSON Schema (draft 2020-12)
// of every manifest kind, and the checks that turn documents read by package
// manifest into a validated manifest.Set, or into diagnostics that say
// file:line:col, the field path, and what to do.
//
// Validation runs in three passes over all documents, so that one run reports
// every problem: the header (apiVersion and kind, with a suggestion for a
// near miss), the JSON Schema of the kind, then semantic checks across the
// set (duplicate keys, scope ids, secret sources, references to service
// accounts and access keys, reference cycles, ownership rules).
//
// Load checks each document as its file is read (header, schema, decoding,
// and the checks of its own fields), then drops its generic value; the
// checks of the whole set read the typed resources. A quick reading of the
// schema (quick.go) accepts the documents that surely pass it; the
// validator checks the others and gives every message.
//
// It is offline: it never reads environment variables, secret files or the
// API. It must not know about plans or providers.
package schema
