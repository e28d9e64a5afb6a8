package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// assetType describes one credential type of /api/v1/asset/credentials/….
type assetType struct {
	path      string // URL segment: access-key, password, …
	kind      string // meta.kind, and the key under spec in the combined list
	privateOK bool   // meta.private may be true
}

// assetTypes are the five credential types, in the order the combined list
// and the docs use.
var assetTypes = []*assetType{
	{path: "access-key", kind: "accessKey"},
	{path: "password", kind: "password"},
	{path: "docker-registry", kind: "dockerRegistry", privateOK: true},
	{path: "generic-secret", kind: "genericSecret", privateOK: true},
	{path: "ngc-api-key", kind: "ngcApiKey"},
}

func assetTypeByPath(p string) *assetType {
	for _, t := range assetTypes {
		if t.path == p {
			return t
		}
	}
	return nil
}

// tenantID is the tenant every asset belongs to.
const tenantID = 1

// encryptionKeyID is the keyId every asset spec reports.
const encryptionKeyID = 1

// timeFormat is how timestamps are rendered: RFC 3339, UTC, milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

// Sync statuses of assets (AssetSyncStatusEnum).
const (
	statusCreating = "Creating"
	statusUpdating = "Updating"
	statusSynced   = "No issues found"
	statusDeleting = "Deleting"
)

// syncStatus is an asset's status at now: the SetSyncStatus override, else
// Creating/Updating until SyncDelay after the last change, else "No issues
// found". fresh forces the phase (the reply of a create or update).
func (s *Server) syncStatus(a *asset, now time.Time, fresh bool) string {
	switch {
	case a.StatusOverride != "":
		return a.StatusOverride
	case a.DeletedAt != nil:
		return statusDeleting
	case a.Phase != "" && (fresh || now.Sub(a.UpdatedAt) < s.opts.SyncDelay):
		return a.Phase
	}
	return statusSynced
}

// assetView says what to include when rendering an asset.
type assetView struct {
	usage, status, fresh, combined bool
	now                            time.Time
}

func viewFromQuery(c *call) assetView {
	b := func(name string) bool {
		v, err := strconv.ParseBool(c.query.Get(name))
		return err == nil && v
	}
	return assetView{usage: b("usageInfo"), status: b("statusInfo"), now: c.now}
}

// assetJSON is the JSON object of an asset: typed, because encoding maps is
// slow for lists of thousands.
type assetJSON struct {
	Meta   metaJSON    `json:"meta"`
	Spec   any         `json:"spec"` // *assetSpecJSON, or map[kind]*assetSpecJSON in the combined list
	UsedBy *usageJSON  `json:"usedBy,omitempty"`
	Status *statusJSON `json:"status,omitempty"`
}

// assetSpecJSON is the readable part of an asset's spec: secret values are
// never returned, generic-secret keys come without values.
type assetSpecJSON struct {
	KeyID              int        `json:"keyId"`
	ExistingSecretName string     `json:"existingSecretName,omitempty"`
	AccessKeyID        string     `json:"accessKeyId,omitempty"`
	User               string     `json:"user,omitempty"`
	URL                string     `json:"url,omitempty"`
	KeyValuePairs      *[]keyJSON `json:"keyValuePairs,omitempty"`
}

type keyJSON struct {
	Key string `json:"key"`
}

// usageJSON is usedBy: every workload type, each a list (empty or not).
type usageJSON struct {
	Distributed []workloadRefJSON `json:"distributed"`
	Inferences  []workloadRefJSON `json:"inferences"`
	Trainings   []workloadRefJSON `json:"trainings"`
	Workspaces  []workloadRefJSON `json:"workspaces"`
}

type workloadRefJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
}

type statusJSON struct {
	Status  string              `json:"status"`
	Message string              `json:"message,omitempty"`
	Issues  []map[string]string `json:"issues,omitempty"`
}

type metaJSON struct {
	Name                   string          `json:"name"`
	Description            *string         `json:"description,omitempty"`
	Scope                  string          `json:"scope"`
	ClusterID              string          `json:"clusterId,omitempty"`
	DepartmentID           string          `json:"departmentId,omitempty"`
	ProjectID              *int32          `json:"projectId,omitempty"`
	AutoDelete             bool            `json:"autoDelete"`
	WorkloadSupportedTypes json.RawMessage `json:"workloadSupportedTypes,omitempty"`
	Private                bool            `json:"private"`
	ID                     string          `json:"id"`
	Kind                   string          `json:"kind"`
	TenantID               int             `json:"tenantId"`
	CreatedBy              string          `json:"createdBy"`
	CreatedAt              string          `json:"createdAt"`
	UpdatedBy              string          `json:"updatedBy"`
	UpdatedAt              string          `json:"updatedAt"`
	DeletedAt              *string         `json:"deletedAt,omitempty"`
	DeletedBy              string          `json:"deletedBy,omitempty"`
	ProjectName            string          `json:"projectName,omitempty"`
	UpdateCount            int64           `json:"updateCount"`
}

// render builds the JSON object of an asset (secrets never included). The
// caller holds s.mu.
func (s *Server) render(a *asset, v assetView) assetJSON {
	out := assetJSON{Meta: s.renderMeta(a)}
	spec := renderSpec(a)
	if v.combined {
		out.Spec = map[string]*assetSpecJSON{assetTypeByPath(a.Type).kind: spec}
	} else {
		out.Spec = spec
	}
	if v.usage {
		out.UsedBy = renderUsage(a)
	}
	if v.status {
		out.Status = s.renderStatus(a, v.now, v.fresh)
	}
	return out
}

func (s *Server) renderMeta(a *asset) metaJSON {
	m := metaJSON{
		Name: a.Name, Description: a.Description, Scope: a.Scope, AutoDelete: a.AutoDelete, Private: a.Private,
		ID: a.ID, Kind: assetTypeByPath(a.Type).kind, TenantID: tenantID,
		CreatedBy: a.CreatedBy, CreatedAt: formatTime(a.CreatedAt),
		UpdatedBy: a.UpdatedBy, UpdatedAt: formatTime(a.UpdatedAt), UpdateCount: a.UpdateCount,
		WorkloadSupportedTypes: a.WorkloadSupportedTypes,
		DeletedAt:              formatTimePtr(a.DeletedAt), DeletedBy: a.DeletedBy,
	}
	switch a.Scope {
	case "project":
		m.ProjectID = a.ProjectID
		if p, found := s.db.Org.project(strconv.Itoa(int(*a.ProjectID))); found {
			m.ProjectName = p.Name
			m.ClusterID = p.ClusterID
		}
	case "department":
		m.DepartmentID = a.DepartmentID
		if d, found := s.db.Org.department(a.DepartmentID); found {
			m.ClusterID = d.ClusterID
		}
	case "cluster":
		m.ClusterID = a.ClusterID
	}
	return m
}

// renderSpec returns the non-secret spec fields of the asset's type.
func renderSpec(a *asset) *assetSpecJSON {
	sp := a.Spec
	m := &assetSpecJSON{KeyID: encryptionKeyID}
	if a.Type != "ngc-api-key" {
		m.ExistingSecretName = sp.ExistingSecretName
	}
	switch a.Type {
	case "access-key":
		m.AccessKeyID = sp.AccessKeyID
	case "password":
		m.User = sp.User
	case "docker-registry":
		m.User, m.URL = sp.User, sp.URL
	case "generic-secret":
		if sp.ExistingSecretName == "" {
			kvs := make([]keyJSON, len(sp.KeyValuePairs))
			for i, kv := range sp.KeyValuePairs {
				kvs[i] = keyJSON{Key: kv.Key}
			}
			m.KeyValuePairs = &kvs
		}
	}
	return m
}

func renderUsage(a *asset) *usageJSON {
	u := &usageJSON{Distributed: []workloadRefJSON{}, Inferences: []workloadRefJSON{}, Trainings: []workloadRefJSON{}, Workspaces: []workloadRefJSON{}}
	groups := map[string]*[]workloadRefJSON{"distributed": &u.Distributed, "inferences": &u.Inferences, "trainings": &u.Trainings, "workspaces": &u.Workspaces}
	for _, w := range a.UsedBy {
		if g := groups[w.Type]; g != nil {
			*g = append(*g, workloadRefJSON{ID: w.ID, Name: w.Name, Status: w.Status})
		}
	}
	return u
}

func (s *Server) renderStatus(a *asset, now time.Time, fresh bool) *statusJSON {
	st := s.syncStatus(a, now, fresh)
	out := &statusJSON{Status: st}
	if st == "Issues found" || st == "Failed" {
		cluster := s.assetCluster(a)
		out.Message = "the credential could not be replicated to cluster " + cluster
		out.Issues = []map[string]string{{"scopeId": cluster, "scopeType": "cluster", "issue": "NotCreated"}}
	}
	return out
}

// assetCluster is the cluster an asset lives in (the first cluster for
// tenant-scoped assets).
func (s *Server) assetCluster(a *asset) string {
	if c := clusterOf(s.db.Org, a); c != "" {
		return c
	}
	if len(s.db.Org.Clusters) > 0 {
		return s.db.Org.Clusters[0].UUID
	}
	return ""
}

// assetOf is lookupAsset for type t.
func (s *Server) assetOf(t *assetType) func(*call) (*asset, *reply) {
	return func(c *call) (*asset, *reply) { return s.lookupAsset(c, t) }
}

// lookupAsset finds an asset of type t; the reply is the 404 otherwise.
// The caller holds s.mu.
func (s *Server) lookupAsset(c *call, t *assetType) (*asset, *reply) {
	id := c.params["AssetId"]
	a := s.db.Assets[id]
	if a == nil || a.Type != t.path {
		rep := c.fail(http.StatusNotFound, "%s credential %s not found", t.path, id)
		return nil, &rep
	}
	return a, nil
}

// rawOrNil drops JSON null.
func rawOrNil(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return r
}
