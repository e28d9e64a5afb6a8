// Package rest is a small JSON-over-HTTP client shared by the vendor API
// clients (runai and seqera): it joins a base URL and a path,
// encodes a JSON body, authorizes each attempt, retries what is worth
// retrying, decodes the reply, and turns a failed exchange into an *Error
// that names the method and path and what the server said.
//
// # What it owns
//
//   - Retries: network errors (refused, reset, EOF, timeouts), 429, 500,
//     502, 503 and 504, with exponential backoff and full jitter, honouring
//     Retry-After (seconds or an HTTP date), bounded by RetryPolicy's
//     MaxAttempts and MaxElapsed. Sleeping ends at once when the context
//     ends (Ctrl-C), and Do then returns the context's error.
//   - Authorization: an Authorizer sets the Authorization header of every
//     attempt; a 401 invalidates the token and the request is retried once
//     with a fresh one.
//   - Lost replies: Error.MaybeApplied says that a POST or PATCH may have
//     taken effect although no success reached us (a 5xx, a timeout, or a
//     network error after the request was written), so that the caller can
//     adopt what it created instead of creating it twice.
//
// # What it must not do
//
// It knows no vendor's paths, field names or environment variables: the
// providers pass those in (the setting a TLS hint names, the service an
// adoption error names). Besides the client it holds what both providers'
// errors share, OpError, Subject and AdoptLostCreate, which name objects
// by their resource.Key: manifest is the one project package it imports.
// It never puts a request body or a header in an error, a log line or a
// panic: bodies and headers carry secrets.
package rest
