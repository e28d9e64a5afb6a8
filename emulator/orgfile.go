package emulator

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// maxOrgFile bounds an org file: a tree of many thousand units fits.
const maxOrgFile = 32 << 20

// LoadOrg reads an organisation from a YAML or JSON file shaped like Org:
//
//	clusters:    [{uuid: 4f7ab1d2-…, name: gpu-a}]
//	departments: [{id: "1", name: research, clusterId: 4f7ab1d2-…}]
//	projects:    [{id: "12", name: team-a, parentId: "1", clusterId: 4f7ab1d2-…}]
//
// Unknown fields and an inconsistent tree (a unit whose parent or cluster
// is not listed, a duplicate id, a project id that is not an int32) are
// errors naming the file.
func LoadOrg(path string) (*Org, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("emulator: org file: %w", err)
	}
	if info.Size() > maxOrgFile {
		return nil, fmt.Errorf("emulator: org file %s is larger than %d bytes", path, maxOrgFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("emulator: org file: %w", err)
	}
	var org Org
	if err := yaml.UnmarshalStrict(data, &org); err != nil {
		return nil, fmt.Errorf("emulator: org file %s: %w", path, err)
	}
	if err := org.check(); err != nil {
		return nil, fmt.Errorf("emulator: org file %s: %w", path, err)
	}
	return &org, nil
}
