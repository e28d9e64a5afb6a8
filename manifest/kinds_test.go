package manifest

import (
	"testing"

	"github.com/runai-sync/runai-sync/resource"
)

// Every document kind of the registry decodes, and nothing else does.
func TestDecodersFollowTheRegistry(t *testing.T) {
	for _, d := range resource.Descriptors() {
		_, ok := decoders[d.Kind]
		if ok != d.Document {
			t.Errorf("kind %s: document %v in the registry, decoder %v", d.Kind, d.Document, ok)
		}
		if !d.Document {
			continue
		}
		doc := &Document{Kind: d.Kind, Value: map[string]any{"kind": string(d.Kind), "metadata": map[string]any{"name": "x"}}}
		if err := doc.Decode(); err != nil {
			t.Errorf("kind %s: %v", d.Kind, err)
		}
		if r := doc.Resource; d.Planned && (r == nil || r.Key().Kind != d.Kind || r.Key().Name != "x") {
			t.Errorf("kind %s decodes to %#v", d.Kind, r)
		}
		if !d.Planned && doc.Ownership == nil {
			t.Errorf("kind %s decodes to no Ownership", d.Kind)
		}
	}
	if err := (&Document{Kind: "Nonsense", Value: map[string]any{}}).Decode(); err == nil {
		t.Error("an unknown kind decodes")
	}
}
