package export

import (
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// secretFields are the secret fields of each credential type.
var secretFields = map[string][]string{
	manifest.TypeAccessKey:      {"secretAccessKey"},
	manifest.TypePassword:       {"password"},
	manifest.TypeDockerRegistry: {"password"},
	manifest.TypeNGCAPIKey:      {"ngc_api_key"},
}

func init() {
	register(manifest.KindCredential, kind{write: writeCredential})
}

// writeCredential writes a credential's scope (by name where the units
// name it) and type, and a reference for each secret field of its type,
// unless the credential takes its secret from the cluster
// (existingSecretName).
func writeCredential(x *exporter, o *diff.Object, doc *Document, root map[string]any) error {
	k := o.Key
	md := metadata(root)
	md["scope"] = k.Scope
	if err := scopeFields(md, k, refName(x.units, k)); err != nil {
		return err
	}
	spec := child(root, "spec")
	spec["type"] = k.Type
	if _, fromCluster := spec["existingSecretName"]; fromCluster {
		return nil
	}
	for _, f := range secretFields[k.Type] {
		spec[f] = x.secret(doc, "spec", f)
	}
	if keys, ok := spec["keyValuePairs"].([]any); ok {
		pairs := map[string]any{}
		for _, key := range keys {
			s, _ := key.(string)
			pairs[s] = x.secret(doc, "spec", "keyValuePairs", s)
		}
		spec["keyValuePairs"] = pairs
	}
	return nil
}
