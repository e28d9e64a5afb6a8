// Package diff compares desired objects (from manifests) with live objects
// (from an API snapshot) and produces a Plan: ordered changes, notes, and
// the refusals of the safety guards. It also renders plans for people and
// programs (text, JSON, Markdown).
//
// It is pure: no network, no files, no environment, no clock. Providers turn
// their resources into the common model (Object) before diff sees them, so
// adding a provider adds a package, not a branch here: what can change in
// place, how defaults are normalised and which fields are secret are the
// provider's answers, carried on each Object. What earlier applies recorded
// (package state builds it) is an input too (Recorded): live objects are
// compared as it shows them; no input changes. No table here names kinds:
// a kind's level (order.go), group title and rank (render.go) come from its
// descriptor in package resource, and diff imports no YAML loader.
//
// Reading order: action.go (the closed Action enum), object.go (the common
// model), recorded.go (the records of earlier applies), plan.go (Change
// and Plan), compute.go (the comparison), guard.go (pruning and the
// safety guards), order.go (execution order), then the renderers
// (render_*.go).
package diff
