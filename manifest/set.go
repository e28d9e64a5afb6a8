package manifest

// Set is a validated manifest set: the managed resources in load order and
// the Ownership documents.
type Set struct {
	Resources  []Resource
	Ownerships []*Ownership
	// named indexes the first resource of each kind and name, for Find.
	named map[Key]Resource
}

// NewSet collects the decoded documents.
func NewSet(docs []*Document) *Set {
	s := &Set{named: map[Key]Resource{}}
	for _, d := range docs {
		switch {
		case d.Resource != nil:
			s.Resources = append(s.Resources, d.Resource)
			if k := (Key{Kind: d.Resource.Key().Kind, Name: d.Resource.Key().Name}); s.named[k] == nil {
				s.named[k] = d.Resource
			}
		case d.Ownership != nil:
			s.Ownerships = append(s.Ownerships, d.Ownership)
		}
	}
	return s
}

// Find returns the first resource of a kind with a name (for kinds
// identified by name alone: ServiceAccount and AccessKey), in a set made
// by NewSet.
func (s *Set) Find(kind Kind, name string) Resource {
	return s.named[Key{Kind: kind, Name: name}]
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
