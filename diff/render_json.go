package diff

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/runai-sync/runai-sync/resource"
)

// FormatVersion is the version of the JSON plan format; it changes only
// when a field changes meaning or goes away.
const FormatVersion = "1"

// JSON renders a plan for programs: one object, documented in the README
// and by diff/plan-output.schema.json.
type JSON struct{}

type jsonPlan struct {
	FormatVersion string        `json:"formatVersion"`
	Changes       []jsonChange  `json:"changes"`
	Summary       Summary       `json:"summary"`
	Unmanaged     []jsonKey     `json:"unmanaged,omitempty"`
	Notes         []string      `json:"notes,omitempty"`
	Refusals      []jsonRefusal `json:"refusals,omitempty"`
	Health        []jsonHealth  `json:"health,omitempty"`
}

// jsonHealth is an unhealthy live object.
type jsonHealth struct {
	jsonKey
	Provider string `json:"provider"`
	ID       string `json:"id,omitempty"`
	Status   string `json:"status"`
	Message  string `json:"message,omitempty"`
}

// jsonKey flattens a key; the scope id takes the vendor's name and type.
type jsonKey struct {
	Kind string `json:"kind"`
	Type string `json:"type,omitempty"`
	// Role is the role of an access rule, whose Name is its service
	// account.
	Role         string `json:"role,omitempty"`
	Name         string `json:"name"`
	Scope        string `json:"scope,omitempty"`
	ProjectID    *int64 `json:"projectId,omitempty"`
	DepartmentID string `json:"departmentId,omitempty"`
	ClusterID    string `json:"clusterId,omitempty"`
	WorkspaceID  *int64 `json:"workspaceId,omitempty"`
	// Project, Department and Cluster name the unit of the scope id, when
	// the run resolved it.
	Project    string `json:"project,omitempty"`
	Department string `json:"department,omitempty"`
	Cluster    string `json:"cluster,omitempty"`
}

type jsonChange struct {
	Action string `json:"action"`
	jsonKey
	Provider      string        `json:"provider"`
	ID            string        `json:"id,omitempty"`
	ChangedFields []string      `json:"changedFields"`
	ReplacedBy    []string      `json:"replacedBy,omitempty"`
	Reason        string        `json:"reason,omitempty"`
	Fields        []FieldChange `json:"fields,omitempty"`
	Notes         []string      `json:"notes,omitempty"`
}

type jsonRefusal struct {
	Guard   string   `json:"guard"`
	Object  *jsonKey `json:"object,omitempty"`
	Message string   `json:"message"`
	Lift    string   `json:"lift"`
}

func flatKey(p *Plan, k resource.Key) jsonKey {
	j := jsonKey{Kind: string(k.Kind), Type: k.Type, Name: k.Name, Scope: k.Scope}
	if k.Kind == resource.KindAccessRule {
		j.Type, j.Role = "", k.Type
	}
	name := ""
	if k.ScopeID != "" {
		name = p.ScopeNames[k.ScopeString()]
	}
	num := func() *int64 {
		if n, err := strconv.ParseInt(k.ScopeID, 10, 64); err == nil {
			return &n
		}
		return nil
	}
	switch k.Scope {
	case resource.ScopeProject:
		j.ProjectID, j.Project = num(), name
	case resource.ScopeDepartment:
		j.DepartmentID, j.Department = k.ScopeID, name
	case resource.ScopeCluster:
		j.ClusterID, j.Cluster = k.ScopeID, name
	case resource.ScopeWorkspace:
		j.WorkspaceID = num()
	}
	return j
}

// Render writes the plan as one indented JSON object.
func (JSON) Render(w io.Writer, p *Plan) error {
	out := jsonPlan{FormatVersion: FormatVersion, Changes: []jsonChange{}, Summary: p.Summary(), Notes: p.Notes}
	for _, c := range p.Actionable() {
		changed := c.ChangedPaths()
		if changed == nil {
			changed = []string{}
		}
		out.Changes = append(out.Changes, jsonChange{Action: c.Action.String(), jsonKey: flatKey(p, c.Key), Provider: c.Provider,
			ID: c.ID, ChangedFields: changed, ReplacedBy: c.ReplacedBy, Reason: c.Reason, Fields: c.Fields, Notes: c.Notes})
	}
	for _, u := range p.Unmanaged {
		out.Unmanaged = append(out.Unmanaged, flatKey(p, u.Key))
	}
	for _, r := range p.Refusals {
		jr := jsonRefusal{Guard: r.Guard, Message: r.Message, Lift: r.Lift}
		if r.Key.Kind != "" {
			k := flatKey(p, r.Key)
			jr.Object = &k
		}
		out.Refusals = append(out.Refusals, jr)
	}
	for _, h := range p.Health() {
		out.Health = append(out.Health, jsonHealth{jsonKey: flatKey(p, h.Key), Provider: h.Provider, ID: h.ID, Status: h.Status, Message: h.Message})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
