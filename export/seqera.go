package export

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

func init() {
	register(manifest.KindSeqeraCredential, kind{write: writeSeqeraCredential})
}

// writeSeqeraCredential writes a Seqera credential's workspace and a
// reference for each required secret key of its provider; optional secret
// keys are listed in doc.Optional.
func writeSeqeraCredential(x *exporter, o *diff.Object, doc *Document, root map[string]any) error {
	k := o.Key
	if k.ScopeID != "" {
		id, err := strconv.ParseInt(k.ScopeID, 10, 64)
		if err != nil {
			return fmt.Errorf("workspace id %q is not a number", k.ScopeID)
		}
		metadata(root)["workspaceId"] = id
	}
	spec := child(root, "spec")
	provider, _ := spec["provider"].(string)
	keys := child(spec, "keys")
	p, ok := manifest.LookupSeqeraProvider(provider)
	if !ok {
		return nil
	}
	for _, f := range p.Keys {
		// A platform that answers without keys hides the non-secret
		// ones too: they become placeholders like secrets.
		hidden := !f.Secret && slices.Contains(o.Unread, "spec.keys."+f.Name)
		switch {
		case (f.Secret || hidden) && f.Required:
			keys[f.Name] = x.secret(doc, "spec", "keys", f.Name)
		case f.Secret || hidden:
			doc.Optional = append(doc.Optional, Var{Name: x.names.name(k, f.Name), Field: "spec.keys." + f.Name})
		}
	}
	return nil
}
