package emulator

import (
	"encoding/json"
	"fmt"
	"time"
)

// dbVersion is the version of the data file format.
const dbVersion = 1

// db is the emulator's whole state; it is also the data file's content.
// Every field is guarded by Server.mu.
type db struct {
	Version           int                        `json:"version"`
	AdminClientID     string                     `json:"adminClientId"`
	AdminClientSecret string                     `json:"adminClientSecret"`
	SeqeraToken       string                     `json:"seqeraToken"`
	SigningKey        string                     `json:"signingKey"`
	TokenGeneration   int                        `json:"tokenGeneration"`
	IDCounter         uint64                     `json:"idCounter"`
	Seq               int64                      `json:"seq"`
	Org               Org                        `json:"org"`
	SeqeraWorkspaces  []int64                    `json:"seqeraWorkspaces"`
	Assets            map[string]*asset          `json:"assets"`
	ServiceAccounts   map[string]*serviceAccount `json:"serviceAccounts"`
	AccessKeys        map[string]*accessKey      `json:"accessKeys"`
	Seqera            map[string]*seqeraCred     `json:"seqera"`
	AccessRules       []*accessRule              `json:"accessRules"` // in creation order, deleted ones included
	RuleCounter       int32                      `json:"ruleCounter"` // the last access rule id given

	assetNames map[string]string // nameKey -> asset id
}

// asset is one Run:ai credential asset, secrets included.
type asset struct {
	Seq                    int64           `json:"seq"`
	ID                     string          `json:"id"`
	Type                   string          `json:"type"` // path segment: access-key, password, …
	Name                   string          `json:"name"`
	Description            *string         `json:"description,omitempty"`
	Scope                  string          `json:"scope"`
	ProjectID              *int32          `json:"projectId,omitempty"`
	DepartmentID           string          `json:"departmentId,omitempty"`
	ClusterID              string          `json:"clusterId,omitempty"` // for cluster scope: as sent
	AutoDelete             bool            `json:"autoDelete"`
	Private                bool            `json:"private"`
	WorkloadSupportedTypes json.RawMessage `json:"workloadSupportedTypes,omitempty"`
	CreatedBy              string          `json:"createdBy"`
	CreatedAt              time.Time       `json:"createdAt"`
	UpdatedBy              string          `json:"updatedBy"`
	UpdatedAt              time.Time       `json:"updatedAt"`
	UpdateCount            int64           `json:"updateCount"`
	Phase                  string          `json:"phase"` // Creating or Updating, until SyncDelay after UpdatedAt
	StatusOverride         string          `json:"statusOverride,omitempty"`
	DeletedAt              *time.Time      `json:"deletedAt,omitempty"` // being deleted (Options.DeleteDelay)
	DeletedBy              string          `json:"deletedBy,omitempty"`
	UsedBy                 []workloadRef   `json:"usedBy,omitempty"`
	Spec                   assetSpec       `json:"spec"`
}

// assetSpec holds every type's spec fields; secrets are write-only.
type assetSpec struct {
	ExistingSecretName string   `json:"existingSecretName,omitempty"`
	AccessKeyID        string   `json:"accessKeyId,omitempty"`
	SecretAccessKey    string   `json:"secretAccessKey,omitempty"` // secret
	User               string   `json:"user,omitempty"`
	Password           string   `json:"password,omitempty"` // secret
	URL                string   `json:"url,omitempty"`
	NgcAPIKey          string   `json:"ngcApiKey,omitempty"` // secret
	KeyValuePairs      []kvPair `json:"keyValuePairs,omitempty"`
}

// kvPair is a generic-secret entry; Value is secret.
type kvPair struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Workload is a workload that uses an asset (see MarkInUse).
type Workload struct {
	Type   string `json:"type"` // workspaces, trainings, distributed or inferences
	Name   string `json:"name"`
	Status string `json:"status,omitempty"`
}

// workloadRef is a stored Workload with its generated id.
type workloadRef struct {
	Workload
	ID string `json:"id"`
}

// serviceAccount is a Run:ai service account.
type serviceAccount struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	ClientID     string     `json:"clientId"`
	ClientSecret string     `json:"clientSecret"`
	CreatedBy    string     `json:"createdBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	LastLogin    *time.Time `json:"lastLogin"`
	Enabled      bool       `json:"enabled"`
	Seq          int64      `json:"seq"`
}

// accessKey is a user's Run:ai access key.
type accessKey struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	ClientID     string     `json:"clientId"`
	ClientSecret string     `json:"clientSecret"`
	Owner        string     `json:"createdBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	LastLogin    *time.Time `json:"lastLogin"`
	Seq          int64      `json:"seq"`
}

// SeqeraJob is a Seqera workflow that uses a credential (see
// MarkSeqeraInUse).
type SeqeraJob struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// seqeraCred is a Seqera Platform credential.
type seqeraCred struct {
	Seq         int64             `json:"seq"`
	ID          string            `json:"id"`
	Workspace   int64             `json:"workspaceId"` // 0: the personal workspace
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Provider    string            `json:"provider"`
	BaseURL     string            `json:"baseUrl,omitempty"`
	Category    string            `json:"category,omitempty"`
	Keys        map[string]string `json:"keys"`
	DateCreated time.Time         `json:"dateCreated"`
	LastUpdated time.Time         `json:"lastUpdated"`
	Jobs        []SeqeraJob       `json:"jobs,omitempty"`
}

func newDB() *db {
	return &db{
		Version:         dbVersion,
		Assets:          map[string]*asset{},
		ServiceAccounts: map[string]*serviceAccount{},
		AccessKeys:      map[string]*accessKey{},
		Seqera:          map[string]*seqeraCred{},
		assetNames:      map[string]string{},
	}
}

// initDB loads the data file (when there is one) and fills in what the
// options and defaults give.
func (s *Server) initDB() error {
	d := newDB()
	if s.opts.DataFile != "" {
		loaded, err := loadDataFile(s.opts.DataFile)
		if err != nil {
			return err
		}
		if loaded != nil {
			d = loaded
		}
	}
	s.ids.setCounter(d.IDCounter)
	switch {
	case s.opts.Org != nil:
		d.Org = *s.opts.Org
	case len(d.Org.Clusters) == 0 && len(d.Org.Departments) == 0 && len(d.Org.Projects) == 0:
		d.Org = DefaultOrg()
	}
	if err := d.Org.check(); err != nil {
		return fmt.Errorf("emulator: organisation: %w", err)
	}
	switch {
	case s.opts.SeqeraWorkspaces != nil:
		d.SeqeraWorkspaces = append([]int64(nil), s.opts.SeqeraWorkspaces...)
	case d.SeqeraWorkspaces == nil:
		d.SeqeraWorkspaces = DefaultSeqeraWorkspaces()
	}
	pick := func(opt, stored, def string) string {
		switch {
		case opt != "":
			return opt
		case stored != "":
			return stored
		}
		return def
	}
	d.AdminClientID = pick(s.opts.AdminClientID, d.AdminClientID, DefaultAdminClientID)
	d.AdminClientSecret = pick(s.opts.AdminClientSecret, d.AdminClientSecret, "")
	if d.AdminClientSecret == "" {
		d.AdminClientSecret = s.ids.token(32)
	}
	d.SeqeraToken = pick(s.opts.SeqeraToken, d.SeqeraToken, "")
	if d.SeqeraToken == "" {
		d.SeqeraToken = s.ids.token(40)
	}
	if d.SigningKey == "" {
		d.SigningKey = s.ids.hex(64)
	}
	for id, a := range d.Assets {
		d.assetNames[assetNameKey(a)] = id
	}
	s.db = d
	s.queueDeleting()
	return nil
}

// nextSeq returns the next creation sequence number (caller holds s.mu).
func (d *db) nextSeq() int64 {
	d.Seq++
	return d.Seq
}
