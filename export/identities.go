package export

import (
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

func init() {
	register(manifest.KindServiceAccount, kind{write: writeServiceAccount})
	register(manifest.KindAccessKey, kind{skip: foreignAccessKey})
}

// writeServiceAccount writes the account's access rules, and leaves
// spec.enabled out when it is the default (true), and spec with it when
// nothing else is set.
func writeServiceAccount(x *exporter, o *diff.Object, _ *Document, root map[string]any) error {
	if err := x.accessRules(o.Key, root); err != nil {
		return err
	}
	if spec, ok := root["spec"].(map[string]any); ok && spec["enabled"] == true {
		delete(spec, "enabled") // the default
		if len(spec) == 0 {
			delete(root, "spec")
		}
	}
	return nil
}

// foreignAccessKey reports another user's key (scope "user"): not the
// caller's to manage, so no manifest describes it.
func foreignAccessKey(o *diff.Object) bool { return o.Key.Scope != "" }
