package manifest

// AccessRule grants a role, by name, on a scope, to the service account that
// lists it (ServiceAccountSpec.AccessRules). The scope takes an id or a name
// as a credential's does; resolution (package orgunit) fills the other in.
type AccessRule struct {
	// Role is the name of a Run:ai role ("ML engineer").
	Role string `json:"role"`
	ScopeRef
	// RoleID is filled by role resolution; 0 until then.
	RoleID int32 `json:"-"`
}
