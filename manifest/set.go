package manifest

// Set is a validated manifest set: the managed resources in load order and
// the Ownership documents.
type Set struct {
	Resources  []Resource
	Ownerships []*Ownership
}

// NewSet collects the decoded documents.
func NewSet(docs []*Document) *Set {
	s := &Set{}
	for _, d := range docs {
		switch {
		case d.Resource != nil:
			s.Resources = append(s.Resources, d.Resource)
		case d.Ownership != nil:
			s.Ownerships = append(s.Ownerships, d.Ownership)
		}
	}
	return s
}

// Find returns the resource of a kind with a name (for kinds identified by
// name alone: ServiceAccount and AccessKey).
func (s *Set) Find(kind Kind, name string) Resource {
	for _, r := range s.Resources {
		if k := r.Key(); k.Kind == kind && k.Name == name {
			return r
		}
	}
	return nil
}

// Owner returns the name of the first Ownership that owns k, or "".
func (s *Set) Owner(k Key) string {
	for _, o := range s.Ownerships {
		if o.Owns(k) {
			return o.Metadata.Name
		}
	}
	return ""
}

// HasOwnership reports whether the set holds an Ownership document.
func (s *Set) HasOwnership() bool { return len(s.Ownerships) > 0 }

// Ignored reports whether any Ownership ignores k.
func (s *Set) Ignored(k Key) bool {
	for _, o := range s.Ownerships {
		if o.Ignores(k) {
			return true
		}
	}
	return false
}

// ProtectedByRule reports whether any Ownership protects k.
func (s *Set) ProtectedByRule(k Key) bool {
	for _, o := range s.Ownerships {
		if o.Protects(k) {
			return true
		}
	}
	return false
}

// DefaultSeqeraWorkspace gives the Seqera credentials and selectors that
// name no workspace the default one (TOWER_WORKSPACE_ID), so that their
// keys and the live objects read from that workspace agree.
func (s *Set) DefaultSeqeraWorkspace(id int64) {
	for _, r := range s.Resources {
		if c, ok := r.(*SeqeraCredential); ok && c.Metadata.WorkspaceID == nil {
			c.Metadata.WorkspaceID = &id
		}
	}
	for _, o := range s.Ownerships {
		for i := range o.Spec.SeqeraCredentials {
			if o.Spec.SeqeraCredentials[i].WorkspaceID == nil {
				o.Spec.SeqeraCredentials[i].WorkspaceID = &id
			}
		}
	}
}

// Compact drops what only loading and validation needed: the documents'
// JSON values (Has and Canonical see nothing afterwards). The typed
// resources and the positions stay. Apply calls it once the plan is made,
// so that ten thousand documents weigh less while it runs.
func (s *Set) Compact() {
	for _, r := range s.Resources {
		if d := r.Document(); d != nil {
			d.Value = nil
		}
	}
	for _, o := range s.Ownerships {
		if d := o.Document(); d != nil {
			d.Value = nil
		}
	}
}
