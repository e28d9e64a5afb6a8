package emulator

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// workloadTypes are the usedBy groups MarkInUse accepts.
var workloadTypes = []string{"workspaces", "trainings", "distributed", "inferences"}

// syncStatuses are the values SetSyncStatus accepts (AssetSyncStatusEnum).
var syncStatuses = []string{"Creating", "Deleting", "Failed", "Deletion failed", "Issues found", "No issues found", "No status", "Updating"}

// errNotFound is wrapped by the admin helpers for an unknown id.
var errNotFound = errors.New("not found")

// workloadID derives a stable UUID for a workload from its type and name.
func workloadID(w Workload) string {
	b := sha256.Sum256([]byte(w.Type + "/" + w.Name))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// MarkInUse sets the workloads that use an asset (none clears the mark).
// While marked, usedBy lists them, and deleting the asset answers 412 while
// one of them is active (any status but Stopped, Completed, Succeeded,
// Failed or Deleted).
func (s *Server) MarkInUse(assetID string, workloads ...Workload) error {
	refs := make([]workloadRef, 0, len(workloads))
	for _, w := range workloads {
		if !slices.Contains(workloadTypes, w.Type) {
			return fmt.Errorf("workload %q: type %q is not one of %v", w.Name, w.Type, workloadTypes)
		}
		if w.Name == "" {
			return fmt.Errorf("workload of type %s: name is required", w.Type)
		}
		refs = append(refs, workloadRef{Workload: w, ID: workloadID(w)})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.db.Assets[assetID]
	if a == nil {
		return fmt.Errorf("asset %s: %w", assetID, errNotFound)
	}
	a.UsedBy = refs
	s.changed()
	return nil
}

// SetSyncStatus forces an asset's status (for example "Failed" or "Issues
// found"); "" returns it to the clock-driven status.
func (s *Server) SetSyncStatus(assetID, status string) error {
	if status != "" && !slices.Contains(syncStatuses, status) {
		return fmt.Errorf("status %q is not one of %q", status, syncStatuses)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.db.Assets[assetID]
	if a == nil {
		return fmt.Errorf("asset %s: %w", assetID, errNotFound)
	}
	a.StatusOverride = status
	s.changed()
	return nil
}

// MarkSeqeraInUse sets the workflows that use a Seqera credential (none
// clears the mark). While marked, DELETE …?checked=true answers 409.
func (s *Server) MarkSeqeraInUse(credentialsID string, jobs ...SeqeraJob) error {
	for _, j := range jobs {
		if j.ID == "" {
			return fmt.Errorf("job %q: id is required", j.Name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := s.db.Seqera[credentialsID]
	if cr == nil {
		return fmt.Errorf("seqera credentials %s: %w", credentialsID, errNotFound)
	}
	cr.Jobs = append([]SeqeraJob(nil), jobs...)
	s.changed()
	return nil
}

// CreateForeignAccessKey creates an access key owned by another user
// (createdBy), as if that user had created it.
func (s *Server) CreateForeignAccessKey(name, createdBy string) (id, clientID, clientSecret string, err error) {
	if name == "" || createdBy == "" {
		return "", "", "", errors.New("name and createdBy are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.createKey(name, createdBy, nil)
	if err != nil {
		return "", "", "", err
	}
	s.changed()
	return k.ID, k.ClientID, k.ClientSecret, nil
}

// StoredSecrets returns the write-only values stored for a Run:ai asset
// (field name or generic-secret key -> value) or a Seqera credential
// (secret key field -> value), so tests can check what was delivered.
func (s *Server) StoredSecrets(assetOrSeqeraID string) (map[string]string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a := s.db.Assets[assetOrSeqeraID]; a != nil {
		out := map[string]string{}
		put := func(k, v string) {
			if v != "" {
				out[k] = v
			}
		}
		switch a.Type {
		case "access-key":
			put("secretAccessKey", a.Spec.SecretAccessKey)
		case "password", "docker-registry":
			put("password", a.Spec.Password)
		case "ngc-api-key":
			put("ngc_api_key", a.Spec.NgcAPIKey)
		case "generic-secret":
			for _, kv := range a.Spec.KeyValuePairs {
				out[kv.Key] = kv.Value
			}
		}
		return out, true
	}
	if cr := s.db.Seqera[assetOrSeqeraID]; cr != nil {
		out := map[string]string{}
		for _, f := range seqeraProviders[cr.Provider].secret {
			if v, set := cr.Keys[f]; set {
				out[f] = v
			}
		}
		return out, true
	}
	return nil, false
}

// SeqeraKeys returns every key a Seqera credential holds, secret or not,
// as a user who edits it in the UI gives them again; ok is false for an
// unknown id.
func (s *Server) SeqeraKeys(id string) (keys map[string]string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cr := s.db.Seqera[id]
	if cr == nil {
		return nil, false
	}
	return maps.Clone(cr.Keys), true
}

// AssetInfo names one stored credential asset, for tests. Deleting is set
// while the asset is being deleted (Options.DeleteDelay).
type AssetInfo struct {
	ID, Type, Name, Scope, ScopeID string
	Deleting                       bool
}

// Assets lists every stored credential asset, in creation order, so tests
// can check for duplicates or count what an apply made.
func (s *Server) Assets() []AssetInfo {
	s.reap(s.now())
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]AssetInfo, 0, len(s.db.Assets))
	for _, a := range s.db.Assets {
		info := AssetInfo{ID: a.ID, Type: a.Type, Name: a.Name, Scope: a.Scope, ScopeID: a.ClusterID, Deleting: a.DeletedAt != nil}
		switch {
		case a.ProjectID != nil:
			info.ScopeID = strconv.Itoa(int(*a.ProjectID))
		case a.DepartmentID != "":
			info.ScopeID = a.DepartmentID
		}
		out = append(out, info)
	}
	seq := func(id string) int64 { return s.db.Assets[id].Seq }
	slices.SortFunc(out, func(a, b AssetInfo) int { return cmp.Compare(seq(a.ID), seq(b.ID)) })
	return out
}

// clientSecret makes a new client secret (of a service account or access
// key) and remembers it for IssuedSecrets.
func (s *Server) clientSecret() string {
	v := s.ids.token(32)
	s.issuedMu.Lock()
	s.issued = append(s.issued, v)
	s.issuedMu.Unlock()
	return v
}

// IssuedSecrets lists every secret value the emulator holds or ever handed
// out: the admin secret, the Seqera token, every client secret of a
// service account or access key (regenerated ones too), and the secret
// values stored in credentials. Tests scan output for them.
func (s *Server) IssuedSecrets() []string {
	s.issuedMu.Lock()
	out := append([]string(nil), s.issued...)
	s.issuedMu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	out = append(out, s.db.AdminClientSecret, s.db.SeqeraToken)
	for _, a := range s.db.Assets {
		out = append(out, a.Spec.SecretAccessKey, a.Spec.Password, a.Spec.NgcAPIKey)
		for _, kv := range a.Spec.KeyValuePairs {
			out = append(out, kv.Value)
		}
	}
	for _, c := range s.db.Seqera {
		for _, k := range seqeraProviders[c.Provider].secret {
			out = append(out, c.Keys[k])
		}
	}
	return slices.DeleteFunc(out, func(v string) bool { return len(v) < 8 })
}
