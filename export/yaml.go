package export

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// keyOrder puts the keys people look for first, as the manifests of the
// README write them; other keys follow in alphabetical order.
var keyOrder = []string{
	"apiVersion", "kind", "metadata", "spec", "lifecycle",
	"name", "description", "role", "scope", "clusterId", "departmentId", "projectId", "workspaceId",
	"type", "provider", "category", "baseUrl", "enabled", "existingSecretName",
}

// YAML renders the document with its keys in keyOrder.
func (d Document) YAML() ([]byte, error) {
	n, err := node(d.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Key, err)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func node(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := slices.SortedFunc(maps.Keys(x), func(a, b string) int {
			ra, rb := rank(a), rank(b)
			return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a, b))
		})
		for _, k := range keys {
			child, err := node(x[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, child)
		}
		return n, nil
	case []any:
		// A list of mappings (access rules) is a block list of flow
		// mappings, one a line; any other list is one flow list.
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, e := range x {
			child, err := node(e)
			if err != nil {
				return nil, err
			}
			if child.Kind == yaml.MappingNode {
				n.Style, child.Style = 0, yaml.FlowStyle
			}
			n.Content = append(n.Content, child)
		}
		return n, nil
	case string:
		n := &yaml.Node{}
		return n, n.Encode(x) // quotes what YAML would read as another type
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}, nil
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}, nil
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}, nil
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("cannot render %T", v)
}

func rank(k string) int {
	if i := slices.Index(keyOrder, k); i >= 0 {
		return i
	}
	return len(keyOrder)
}
