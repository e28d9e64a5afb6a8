package resource

import "slices"

// Kind is the kind of a resource, as manifests write it ("Credential").
type Kind string

// The kinds of DESIGN.md. Each has its Descriptor in registry.
const (
	KindCredential       Kind = "Credential"
	KindServiceAccount   Kind = "ServiceAccount"
	KindAccessKey        Kind = "AccessKey"
	KindSeqeraCredential Kind = "SeqeraCredential"
	KindOwnership        Kind = "Ownership"
	// KindAccessRule is an access rule of a service account: an entry of
	// ServiceAccount.spec.accessRules, not a document of its own. Its key
	// holds the role (Type), the scope and the account's name (Name).
	KindAccessRule Kind = "AccessRule"
)

// Provider names: the provider that owns a kind's objects.
const (
	ProviderRunai  = "runai"
	ProviderSeqera = "seqera"
)

// Descriptor is what every step of the pipeline needs to know about a kind
// besides its own files: how manifests hold it, where it goes in an apply,
// how plans and messages name it, and which provider carries it out.
type Descriptor struct {
	// Kind is the kind's name.
	Kind Kind
	// Document is set for a kind that manifests hold as documents of their
	// own (apiVersion, kind, metadata): the JSON Schema validates it against
	// $defs/<Kind>, and the loader decodes it.
	Document bool
	// Planned is set for a kind whose objects plans create, change and
	// delete (every kind but Ownership, which only declares what is owned).
	Planned bool
	// Level is the kind's place in the order of an apply (see diff's
	// order.go): kinds a level depends on are on a lower level.
	Level int
	// Provider names the provider that owns the kind's objects.
	Provider string
	// Title names the kind's group in a plan ("Credentials").
	Title string
	// Noun names one object of the kind in messages ("credential").
	Noun string
	// Under is set for a kind whose objects belong to an object of another
	// kind with the same Key.Name (an access rule to its service account):
	// plans show them in that object's block, and export writes them into
	// its manifest. Such a kind is no document of its own.
	Under Kind
	// Field is, for a kind Under another, the field of the other's manifest
	// that lists its objects ("spec.accessRules").
	Field string
}

// registry holds one Descriptor per kind, in the order the documentation
// presents the kinds (and plans show them). Adding a kind is adding its
// descriptor here and its own files in the packages that build, compare
// and carry out its objects.
var registry = []Descriptor{
	{Kind: KindCredential, Document: true, Planned: true, Level: 1, Provider: ProviderRunai,
		Title: "Credentials", Noun: "credential"},
	{Kind: KindServiceAccount, Document: true, Planned: true, Level: 0, Provider: ProviderRunai,
		Title: "Service accounts", Noun: "service account"},
	{Kind: KindAccessKey, Document: true, Planned: true, Level: 0, Provider: ProviderRunai,
		Title: "Access keys", Noun: "access key"},
	{Kind: KindSeqeraCredential, Document: true, Planned: true, Level: 1, Provider: ProviderSeqera,
		Title: "Seqera credentials", Noun: "seqera credential"},
	{Kind: KindOwnership, Document: true},
	{Kind: KindAccessRule, Planned: true, Level: 1, Provider: ProviderRunai,
		Title: "Access rules", Noun: "access rule", Under: KindServiceAccount, Field: "spec.accessRules"},
}

// Kinds lists every document kind, in the order the documentation presents
// them.
var Kinds = func() []Kind {
	var out []Kind
	for _, d := range registry {
		if d.Document {
			out = append(out, d.Kind)
		}
	}
	return out
}()

// Lookup returns the descriptor of k; ok is false for a kind this build
// does not know.
func Lookup(k Kind) (d Descriptor, ok bool) {
	i := slices.IndexFunc(registry, func(d Descriptor) bool { return d.Kind == k })
	if i < 0 {
		return Descriptor{Kind: k}, false
	}
	return registry[i], true
}

// Rank is k's place in the registry, for sorting by kind; unknown kinds
// come last.
func Rank(k Kind) int {
	if i := slices.IndexFunc(registry, func(d Descriptor) bool { return d.Kind == k }); i >= 0 {
		return i
	}
	return len(registry)
}

// Parent returns, for a key of a kind Under another, the key of the object
// it belongs to (an access rule's service account); ok is false for any
// other key.
func Parent(k Key) (parent Key, ok bool) {
	d, _ := Lookup(k.Kind)
	if d.Under == "" {
		return k, false
	}
	return Key{Kind: d.Under, Name: k.Name}, true
}

// Descriptors returns every descriptor, in registry order.
func Descriptors() []Descriptor { return slices.Clone(registry) }
