package diff

import (
	"fmt"
	"io"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

// benchObjects makes n desired credentials and their live twins, a tenth
// of them changed, and a tenth of the live ones unmanaged (pruned).
func benchObjects(n int) (desired, liveObjs []*Object) {
	for i := range n {
		k := manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: fmt.Sprint(7 + i%3), Name: fmt.Sprintf("cred-%05d", i)}
		d := &Object{Key: k, Provider: "runai", InPlace: []string{"metadata.description"},
			Attrs:   map[string]string{"metadata.description": fmt.Sprintf("%q", "desc"), "spec.user": `"app"`},
			Secrets: map[string]SecretAttr{"spec.password": {Source: "env X", Fingerprint: "hmac-sha256:aa"}}}
		l := &Object{Key: k, Provider: "runai", ID: fmt.Sprintf("id-%d", i),
			Attrs:   map[string]string{"metadata.description": fmt.Sprintf("%q", "desc"), "spec.user": `"app"`},
			Secrets: map[string]SecretAttr{"spec.password": {Fingerprint: "hmac-sha256:aa"}}}
		if i%10 == 0 {
			l.Attrs["metadata.description"] = `"old"`
		}
		if i%10 == 1 {
			continue // to create
		}
		desired = append(desired, d)
		liveObjs = append(liveObjs, l)
		if i%10 == 2 {
			desired = desired[:len(desired)-1] // to prune
		}
	}
	return desired, liveObjs
}

type ownAll struct{}

func (ownAll) Owner(manifest.Key) string         { return "bench" }
func (ownAll) Ignored(manifest.Key) bool         { return false }
func (ownAll) ProtectedByRule(manifest.Key) bool { return false }
func (ownAll) HasOwnership() bool                { return true }

func BenchmarkCompute10000(b *testing.B) {
	desired, liveObjs := benchObjects(10000)
	b.ReportAllocs()
	for b.Loop() {
		Compute(desired, liveObjs, ownAll{}, Options{Prune: true, AllowMassDelete: true})
	}
}

func BenchmarkRender(b *testing.B) {
	desired, liveObjs := benchObjects(10000)
	p := Compute(desired, liveObjs, ownAll{}, Options{Prune: true, AllowMassDelete: true})
	for _, v := range []struct {
		name string
		view View
	}{{"text", &Text{}}, {"json", JSON{}}, {"markdown", &Markdown{}}} {
		b.Run(v.name+"-10000", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := v.view.Render(io.Discard, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
