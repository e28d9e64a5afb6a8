// Package testkit holds the test helpers the provider packages share:
// inline manifests, a log that records lines, apply inputs backed by a map,
// and the check that no secret shows in what a test saw. Only tests
// import it.
package testkit
