package manifest

import (
	"bytes"
	"encoding/json"

	yaml "go.yaml.in/yaml/v3"
)

// IsSopsEncrypted reports whether data is a SOPS-encrypted file: YAML or
// JSON with a top-level sops map holding a mac, or dotenv with a sops_mac
// line. The loader skips such files, so teams can keep secrets.enc.yaml
// beside the manifests that read it with fromSops.
func IsSopsEncrypted(data []byte) bool {
	if !bytes.Contains(data, []byte("sops")) || !bytes.Contains(data, []byte("mac")) {
		return false
	}
	for line := range bytes.Lines(data) {
		if bytes.HasPrefix(line, []byte("sops_mac=")) {
			return true
		}
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var top map[string]json.RawMessage
		var meta map[string]json.RawMessage
		return json.Unmarshal(t, &top) == nil && json.Unmarshal(top["sops"], &meta) == nil && meta["mac"] != nil
	}
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc) != nil || len(doc.Content) == 0 {
		return false
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k, v := top.Content[i], top.Content[i+1]; k.Value == "sops" && v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				if v.Content[j].Value == "mac" {
					return true
				}
			}
		}
	}
	return false
}
