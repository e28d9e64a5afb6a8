package manifest

import (
	"encoding/json"
	"slices"
	"strings"
)

// Canonical renders the documents of the set as one canonical text: each
// document as JSON with sorted keys, the documents sorted, so that moving a
// document to another file or reordering fields changes nothing. It may hold
// literal secrets: hash it with a key (a Fingerprinter), never print it.
func (s *Set) Canonical() Secret {
	var docs []string
	add := func(d *Document) {
		if d != nil {
			b, _ := json.Marshal(d.Generic())
			docs = append(docs, string(b))
		}
	}
	for _, r := range s.Resources {
		add(r.Document())
	}
	for _, o := range s.Ownerships {
		add(o.Document())
	}
	slices.Sort(docs)
	text := strings.Join(docs, "\n")
	return NewPublicValue(text) // not registered for redaction: never printed whole
}
