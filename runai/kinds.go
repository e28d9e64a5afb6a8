package runai

import (
	"context"
	"maps"
	"slices"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/resource"
)

// kind is what the provider does for one kind of the registry whose
// provider it is (resource.Descriptor.Provider "runai"). Each kind's own
// files register it (register, in an init function), so that the provider's
// Desired, Snapshot and Do hold no switch on kinds.
type kind struct {
	// inScope reports whether a scope covers the kind: Desired builds its
	// objects and Snapshot reads them only then.
	inScope func(s Scope) bool
	// desired builds the kind's desired objects from the manifest set,
	// resolving secrets through r.
	desired func(p *Provider, set *manifest.Set, r manifest.Resolver) ([]*diff.Object, manifest.Diagnostics)
	// snapshot reads the kind's live objects.
	snapshot func(p *Provider, ctx context.Context) ([]*diff.Object, error)
	// do carries out one step on an object of the kind.
	do func(p *Provider, ctx context.Context, step diff.Step, in apply.Inputs) (apply.Result, error)
}

// kinds holds the registered kinds.
var kinds = map[resource.Kind]kind{}

// register adds the provider's handling of a kind of the registry.
func register(k resource.Kind, h kind) {
	if d, ok := resource.Lookup(k); !ok || d.Provider != ProviderName {
		panic("runai: " + string(k) + " is not a kind of the runai provider in the registry")
	}
	kinds[k] = h
}

// kindsInScope returns the registered kinds the scope covers, in registry
// order (the order Snapshot returns their objects in).
func kindsInScope(s Scope) []kind {
	keys := slices.SortedFunc(maps.Keys(kinds), func(a, b resource.Kind) int { return resource.Rank(a) - resource.Rank(b) })
	var out []kind
	for _, k := range keys {
		if h := kinds[k]; h.inScope(s) {
			out = append(out, h)
		}
	}
	return out
}

// fromEach is the desired function of a kind whose objects come from the
// resources of the set that are a T, one resource at a time, with nothing
// to resolve (build gives the objects of one resource).
func fromEach[T manifest.Resource](build func(T) []*diff.Object) func(*Provider, *manifest.Set, manifest.Resolver) ([]*diff.Object, manifest.Diagnostics) {
	return func(_ *Provider, set *manifest.Set, _ manifest.Resolver) ([]*diff.Object, manifest.Diagnostics) {
		var objs []*diff.Object
		for _, r := range set.Resources {
			if t, ok := r.(T); ok {
				objs = append(objs, build(t)...)
			}
		}
		return objs, nil
	}
}
