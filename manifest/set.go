package manifest

import "github.com/runai-sync/runai-sync/resource"

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
	s := &Set{named: make(map[Key]Resource, len(docs))}
	for _, d := range docs {
		switch {
		case d.Resource != nil:
			s.Resources = append(s.Resources, d.Resource)
			k := d.Resource.Key()
			if k := (Key{Kind: k.Kind, Name: k.Name}); s.named[k] == nil {
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

// Owner returns the name of the first Ownership that owns k, or "". An
// object of a kind under another (an access rule, under its service
// account) belongs to that object: when the set declares it and its
// manifest lists such objects (Holder: spec.accessRules, even empty), they
// are the set's own and Owner names it ("ServiceAccount ci-pipeline");
// when the set declares it without listing them, they are left alone
// (""); when the set does not declare it, they follow it (owned when an
// Ownership owns it, so that they go before it when it is pruned).
func (s *Set) Owner(k Key) string {
	if parent, ok := resource.Parent(k); ok {
		if r := s.Find(parent.Kind, parent.Name); r != nil {
			if h, ok := r.(Holder); ok && h.Holds(k.Kind) {
				return parent.String()
			}
			return ""
		}
		k = parent
	}
	for _, o := range s.Ownerships {
		if o.Owns(k) {
			return o.Metadata.Name
		}
	}
	return ""
}

// Holder is a resource whose manifest lists objects of a kind under it
// (resource.Descriptor.Under).
type Holder interface {
	// Holds reports whether the manifest lists the resource's objects of
	// kind k (a service account's spec.accessRules, even an empty list):
	// only then are they managed with it.
	Holds(k Kind) bool
}

// follows is, for an object under another that the set does not declare,
// the other's key: such objects share its fate (ignored, protected,
// pruned with it). The objects of a declared one are what its manifest
// lists, whatever ignore and protect rules match it; any other key is
// returned as it is.
func (s *Set) follows(k Key) Key {
	if parent, ok := resource.Parent(k); ok && s.Find(parent.Kind, parent.Name) == nil {
		return parent
	}
	return k
}

// HasOwnership reports whether the set holds an Ownership document.
func (s *Set) HasOwnership() bool { return len(s.Ownerships) > 0 }

// Ignored reports whether any Ownership ignores k. The rules of an
// undeclared service account are ignored with it (see follows).
func (s *Set) Ignored(k Key) bool {
	k = s.follows(k)
	for _, o := range s.Ownerships {
		if o.Ignores(k) {
			return true
		}
	}
	return false
}

// ProtectedByRule reports whether any Ownership protects k. The rules of
// an undeclared service account are protected with it (see follows).
func (s *Set) ProtectedByRule(k Key) bool {
	k = s.follows(k)
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
// JSON values (DropValue: Has and Canonical convert the text again if
// asked). The typed resources and the positions stay. Apply calls it once
// the plan is made, so that ten thousand documents weigh less while it runs.
func (s *Set) Compact() {
	for _, r := range s.Resources {
		if d := r.Document(); d != nil {
			d.DropValue()
		}
	}
	for _, o := range s.Ownerships {
		if d := o.Document(); d != nil {
			d.DropValue()
		}
	}
}
