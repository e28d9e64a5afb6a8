package manifest

// decoders make the typed value of each document kind of the registry
// (resource.Descriptor.Document): Decode fills it from the document and
// the document keeps it, as Resource or as Ownership.
var decoders = map[Kind]func(d *Document) any{
	KindCredential:       func(d *Document) any { return d.keep(&Credential{doc: d}) },
	KindServiceAccount:   func(d *Document) any { return d.keep(&ServiceAccount{doc: d}) },
	KindAccessKey:        func(d *Document) any { return d.keep(&AccessKey{doc: d}) },
	KindSeqeraCredential: func(d *Document) any { return d.keep(&SeqeraCredential{doc: d}) },
	KindOwnership: func(d *Document) any {
		d.Ownership = &Ownership{doc: d}
		return d.Ownership
	},
}

// keep makes r the document's Resource and returns it.
func (d *Document) keep(r Resource) Resource {
	d.Resource = r
	return r
}
