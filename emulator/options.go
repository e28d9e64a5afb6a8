package emulator

import (
	"fmt"
	"strconv"
	"time"
)

// Options configures a Server. The zero value is a usable emulator with no
// faults, an in-memory store and random credentials.
type Options struct {
	Addr              string        // default "127.0.0.1:8080" for Listen; Start uses 127.0.0.1:0
	DataFile          string        // optional JSON persistence
	Latency           time.Duration // added to every request
	FailRate          float64       // fraction answered 503 without effect
	LostRate          float64       // fraction of mutations done, then answered 503
	RateLimit         int           // requests per second; 0 = unlimited; over it: 429 + Retry-After
	Seed              int64         // makes faults and generated ids deterministic
	SyncDelay         time.Duration // Creating/Updating -> "No issues found" after this
	DeleteDelay       time.Duration // a deleted credential stays "Deleting", its name taken, this long (0: gone at once)
	TokenTTL          time.Duration // default 1h
	LegacyToken       bool          // omit expiresIn from the token reply (clients must read the JWT exp)
	SeqeraShape       string        // "current" (default: create answers {"credentialsId":…}) or "seed" ({"credentials":{…}})
	SeqeraNoKeys      bool          // Seqera replies carry no "keys" (the seed's GET shape): non-secret keys cannot be read back
	AdminClientID     string        // default "runai-sync-admin"
	AdminClientSecret string        // default: random
	SeqeraToken       string        // default: random
	ValidateResponses bool          // validate every response against the spec; violations recorded
	// Now is the clock for timestamps, token expiry, sync status and rate
	// windows; default time.Now.
	Now func() time.Time
	// Logf, when set, receives one line per request.
	Logf func(format string, args ...any)

	// Org replaces the default organisation (clusters, departments and
	// projects). When nil, OrgFile's, the data file's organisation is used,
	// or DefaultOrg.
	Org *Org
	// OrgFile, when set and Org is nil, is a YAML or JSON file the
	// organisation is read from (see LoadOrg).
	OrgFile string
	// SeqeraWorkspaces lists the numeric Seqera workspace ids besides the
	// personal workspace; when nil, the data file's list or 1001 and 1002.
	SeqeraWorkspaces []int64
}

// Default values of Options.
const (
	DefaultAddr          = "127.0.0.1:8080"
	DefaultAdminClientID = "runai-sync-admin"
	DefaultTokenTTL      = time.Hour
	// AdminUser is the user the admin client id logs in as.
	AdminUser = "admin@runai.local"
	// SeqeraShapeCurrent makes Seqera create answer {"credentialsId": …}.
	SeqeraShapeCurrent = "current"
	// SeqeraShapeSeed makes Seqera create answer {"credentials": {…}}.
	SeqeraShapeSeed = "seed"
)

// Org is the Run:ai organisation the emulator serves: credentials can only
// be created in the units listed here.
type Org struct {
	Clusters    []Cluster    `json:"clusters"`
	Departments []Department `json:"departments"`
	Projects    []Project    `json:"projects"`
}

// Cluster is a Run:ai cluster, as GET /api/v1/clusters shows it.
type Cluster struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// Department is a Run:ai department (an org unit under a cluster).
type Department struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ClusterID string `json:"clusterId"`
}

// Project is a Run:ai project (an org unit under a department). Its id is
// a decimal string here and an int32 in asset meta, as in the real API.
type Project struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ParentID  string `json:"parentId"`
	ClusterID string `json:"clusterId"`
}

// DefaultClusterID is the UUID of the default organisation's cluster.
const DefaultClusterID = "4f7ab1d2-3c5e-4b8a-9d10-1e2f3a4b5c6d"

// DefaultOrg returns the organisation seeded when neither Options nor the
// data file give one: cluster gpu-cluster-1; departments default (1) and
// research (2); projects sandbox (7, in 1), team-a (12) and team-b (13, in 2).
func DefaultOrg() Org {
	c := DefaultClusterID
	return Org{
		Clusters: []Cluster{{UUID: c, Name: "gpu-cluster-1"}},
		Departments: []Department{
			{ID: "1", Name: "default", ClusterID: c},
			{ID: "2", Name: "research", ClusterID: c},
		},
		Projects: []Project{
			{ID: "7", Name: "sandbox", ParentID: "1", ClusterID: c},
			{ID: "12", Name: "team-a", ParentID: "2", ClusterID: c},
			{ID: "13", Name: "team-b", ParentID: "2", ClusterID: c},
		},
	}
}

// DefaultSeqeraWorkspaces are the Seqera workspaces seeded by default.
func DefaultSeqeraWorkspaces() []int64 { return []int64{1001, 1002} }

// check reports the first inconsistency of an organisation: duplicate ids,
// non-numeric project ids, or a unit whose parent or cluster is unknown.
func (o Org) check() error {
	clusters := map[string]bool{}
	for _, c := range o.Clusters {
		if !uuidPattern.MatchString(c.UUID) {
			return fmt.Errorf("cluster %q: uuid %q is not a UUID", c.Name, c.UUID)
		}
		if clusters[c.UUID] {
			return fmt.Errorf("cluster %s listed twice", c.UUID)
		}
		clusters[c.UUID] = true
	}
	deps := map[string]bool{}
	for _, d := range o.Departments {
		if d.ID == "" || deps[d.ID] {
			return fmt.Errorf("department %q: empty or duplicate id %q", d.Name, d.ID)
		}
		if !clusters[d.ClusterID] {
			return fmt.Errorf("department %s: unknown cluster %q", d.ID, d.ClusterID)
		}
		deps[d.ID] = true
	}
	projects := map[string]bool{}
	for _, p := range o.Projects {
		if _, err := strconv.ParseInt(p.ID, 10, 32); err != nil || projects[p.ID] {
			return fmt.Errorf("project %q: id %q must be a unique int32", p.Name, p.ID)
		}
		if !deps[p.ParentID] {
			return fmt.Errorf("project %s: unknown department %q", p.ID, p.ParentID)
		}
		if !clusters[p.ClusterID] {
			return fmt.Errorf("project %s: unknown cluster %q", p.ID, p.ClusterID)
		}
		projects[p.ID] = true
	}
	return nil
}

func (o Org) cluster(id string) (Cluster, bool) {
	for _, c := range o.Clusters {
		if c.UUID == id {
			return c, true
		}
	}
	return Cluster{}, false
}

func (o Org) department(id string) (Department, bool) {
	for _, d := range o.Departments {
		if d.ID == id {
			return d, true
		}
	}
	return Department{}, false
}

func (o Org) project(id string) (Project, bool) {
	for _, p := range o.Projects {
		if p.ID == id {
			return p, true
		}
	}
	return Project{}, false
}
