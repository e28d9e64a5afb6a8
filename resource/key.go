package resource

import (
	"cmp"
	"strconv"
	"strings"
)

// Scopes of a Run:ai credential, and the Seqera workspace scope.
const (
	ScopeTenant     = "tenant"
	ScopeCluster    = "cluster"
	ScopeDepartment = "department"
	ScopeProject    = "project"
	ScopeWorkspace  = "workspace"
)

// Scopes lists the Run:ai credential scopes a manifest may use.
var Scopes = []string{ScopeTenant, ScopeCluster, ScopeDepartment, ScopeProject}

// Key identifies a resource: two documents with the same key describe the
// same live object. Credential names are unique per type, scope and scope id;
// service account names per tenant; access key names per owner; Seqera
// credential names per workspace (ScopeID "" is the default workspace).
type Key struct {
	Kind    Kind   `json:"kind"`
	Type    string `json:"type,omitempty"`
	Scope   string `json:"scope,omitempty"`
	ScopeID string `json:"scopeId,omitempty"`
	Name    string `json:"name"`
}

// String names the resource for people:
// "Credential accessKey team-a-s3 (project 12)", "ServiceAccount ci-pipeline",
// and an object under another (Descriptor.Under) after it:
// "ServiceAccount ci-pipeline: access rule ML engineer on project 12".
func (k Key) String() string {
	if d, _ := Lookup(k.Kind); d.Under != "" {
		return string(d.Under) + " " + k.Name + ": " + k.UnderString(k.ScopeString())
	}
	var b strings.Builder
	b.WriteString(string(k.Kind))
	if k.Type != "" {
		b.WriteString(" " + k.Type)
	}
	b.WriteString(" " + k.Name)
	if s := k.ScopeString(); s != "" {
		b.WriteString(" (" + s + ")")
	}
	return b.String()
}

// UnderString names an object of a kind under another (Descriptor.Under;
// Type its role, for an access rule) with scope, its scope as the caller
// shows it ("project 12", "project team-a (12)"): "access rule ML
// engineer on project 12", "access rule Viewer on the tenant".
func (k Key) UnderString(scope string) string {
	d, _ := Lookup(k.Kind)
	if k.Scope == ScopeTenant {
		scope = "the tenant"
	}
	return cmp.Or(d.Noun, string(k.Kind)) + " " + k.Type + " on " + scope
}

// ScopeString is "project 12", "tenant", "workspace 1001", or "" when the kind
// has no scope.
func (k Key) ScopeString() string {
	switch {
	case k.Scope == "":
		return ""
	case k.ScopeID == "":
		return k.Scope
	}
	return k.Scope + " " + k.ScopeID
}

// Compare orders keys by kind, type, scope, scope id (numerically when both
// are numbers) and name, so that plans never depend on input order.
func (k Key) Compare(o Key) int {
	if c := cmp.Compare(k.Kind, o.Kind); c != 0 {
		return c
	}
	if c := cmp.Compare(k.Type, o.Type); c != 0 {
		return c
	}
	if c := cmp.Compare(k.Scope, o.Scope); c != 0 {
		return c
	}
	if c := compareIDs(k.ScopeID, o.ScopeID); c != 0 {
		return c
	}
	return cmp.Compare(k.Name, o.Name)
}

func compareIDs(a, b string) int {
	ai, aerr := strconv.ParseInt(a, 10, 64)
	bi, berr := strconv.ParseInt(b, 10, 64)
	if aerr == nil && berr == nil {
		return cmp.Compare(ai, bi)
	}
	return cmp.Compare(a, b)
}
