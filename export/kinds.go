package export

import (
	"strings"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/resource"
)

// kind is what export does for one kind besides writing its attributes.
// Each kind's own file registers it (register, in an init function); a
// kind with nothing to add registers nothing.
type kind struct {
	// skip reports an object no manifest can describe (another user's
	// access key).
	skip func(o *diff.Object) bool
	// write adds what the kind's manifest holds besides the attributes:
	// scope fields, secret references, defaults to leave out.
	write func(x *exporter, o *diff.Object, doc *Document, root map[string]any) error
}

// kinds holds the registered kinds.
var kinds = map[resource.Kind]kind{}

// register adds export's handling of a kind of the registry.
func register(k resource.Kind, h kind) {
	if _, ok := resource.Lookup(k); !ok {
		panic("export: " + string(k) + " is not in the registry")
	}
	kinds[k] = h
}

// exporter is the state of one export: the variable names handed out, the
// org units that name scopes, and the options.
type exporter struct {
	names *varNames
	units Namer
	opts  Options
	// under holds the objects under each object (Descriptor.Under), in
	// key order.
	under map[resource.Key][]*diff.Object
}

// secret is the reference a secret field at path of doc reads, and records
// its variable.
func (x *exporter) secret(doc *Document, path ...string) map[string]any {
	name := x.names.name(doc.Key, path[len(path)-1])
	doc.Vars = append(doc.Vars, Var{Name: name, Field: strings.Join(path, ".")})
	if x.opts.SopsFile != "" {
		return map[string]any{"fromSops": map[string]any{"file": x.opts.SopsFile, "key": name}}
	}
	return map[string]any{"fromEnv": name}
}

// metadata is the metadata map of a manifest being built.
func metadata(root map[string]any) map[string]any { return root["metadata"].(map[string]any) }
