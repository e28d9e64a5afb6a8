package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// assetCreateRequest is the body of POST /api/v1/asset/credentials/<type>.
// The pipeline has validated it against the spec and rejected unknown
// fields, so decoding here is lenient.
type assetCreateRequest struct {
	Meta struct {
		Name                   string          `json:"name"`
		Description            *string         `json:"description"`
		Scope                  string          `json:"scope"`
		ClusterID              *string         `json:"clusterId"`
		DepartmentID           *string         `json:"departmentId"`
		ProjectID              *int32          `json:"projectId"`
		AutoDelete             *bool           `json:"autoDelete"`
		WorkloadSupportedTypes json.RawMessage `json:"workloadSupportedTypes"`
		Private                *bool           `json:"private"`
	} `json:"meta"`
	Spec struct {
		ExistingSecretName *string `json:"existingSecretName"`
		AccessKeyID        *string `json:"accessKeyId"`
		SecretAccessKey    *string `json:"secretAccessKey"`
		User               *string `json:"user"`
		Password           *string `json:"password"`
		URL                *string `json:"url"`
		NgcAPIKey          *string `json:"ngc_api_key"`
		KeyValuePairs      []*struct {
			Key   *string `json:"key"`
			Value *string `json:"value"`
		} `json:"keyValuePairs"`
	} `json:"spec"`
}

// assetCreate serves POST /api/v1/asset/credentials/<type>: 202 with the
// asset, 400 for scope or spec rules, 409 for a name clash.
func (s *Server) assetCreate(t *assetType) handlerFunc {
	return func(c *call) reply {
		var req assetCreateRequest
		if err := json.Unmarshal(c.body, &req); err != nil {
			return c.fail(http.StatusBadRequest, "request body: %s", jsonProblem(err))
		}
		a := &asset{Type: t.path, Name: req.Meta.Name, Description: req.Meta.Description, Scope: req.Meta.Scope}
		s.mu.Lock()
		defer s.mu.Unlock()
		if msg := s.checkScope(&req, a); msg != "" {
			return c.fail(http.StatusBadRequest, "%s", msg)
		}
		if req.Meta.Private != nil && *req.Meta.Private && !t.privateOK {
			return c.fail(http.StatusBadRequest, "meta.private can be true only for docker-registry and generic-secret credentials, not %s", t.path)
		}
		spec, msg := checkAssetSpec(t, &req)
		if msg != "" {
			return c.fail(http.StatusBadRequest, "%s", msg)
		}
		a.Spec = spec
		key := assetNameKey(a)
		if other, taken := s.db.assetNames[key]; taken {
			if o := s.db.Assets[other]; o != nil && o.DeletedAt != nil {
				return c.fail(http.StatusConflict, "a %s credential named %q in %s is being deleted (id %s); its name is free once it is gone", t.path, a.Name, scopeLabel(a), other)
			}
			return c.fail(http.StatusConflict, "a %s credential named %q already exists in %s (id %s)", t.path, a.Name, scopeLabel(a), other)
		}
		a.AutoDelete = req.Meta.AutoDelete != nil && *req.Meta.AutoDelete
		a.Private = req.Meta.Private != nil && *req.Meta.Private
		a.WorkloadSupportedTypes = rawOrNil(req.Meta.WorkloadSupportedTypes)
		a.ID = s.ids.uuid()
		a.Seq = s.db.nextSeq()
		a.CreatedBy, a.UpdatedBy = c.who.User, c.who.User
		a.CreatedAt, a.UpdatedAt = c.now.UTC(), c.now.UTC()
		a.Phase = statusCreating
		s.db.Assets[a.ID] = a
		s.db.assetNames[key] = a.ID
		s.noteCreated(a, c.now)
		s.changed()
		return ok(http.StatusAccepted, s.render(a, assetView{status: true, fresh: true, now: c.now}))
	}
}

// checkScope applies the scope rules: each scope takes exactly its own id
// (project: projectId, department: departmentId, cluster: clusterId,
// tenant: none), and the unit must exist. It fills a's scope fields.
func (s *Server) checkScope(req *assetCreateRequest, a *asset) string {
	m := req.Meta
	has := map[string]bool{"projectId": m.ProjectID != nil, "departmentId": m.DepartmentID != nil, "clusterId": m.ClusterID != nil}
	need := map[string]string{"project": "projectId", "department": "departmentId", "cluster": "clusterId", "tenant": ""}
	want, known := need[m.Scope]
	if !known {
		return fmt.Sprintf("meta.scope %q cannot be used for credentials: use tenant, cluster, department or project", m.Scope)
	}
	for _, f := range []string{"projectId", "departmentId", "clusterId"} {
		switch {
		case f == want && !has[f]:
			return fmt.Sprintf("meta.%s is required for scope %s", f, m.Scope)
		case f != want && has[f]:
			if want == "" {
				return fmt.Sprintf("meta.%s must not be set for scope %s (a tenant credential takes no scope id)", f, m.Scope)
			}
			return fmt.Sprintf("meta.%s must not be set for scope %s (it takes meta.%s only)", f, m.Scope, want)
		}
	}
	org := s.db.Org
	switch m.Scope {
	case "project":
		if _, found := org.project(strconv.Itoa(int(*m.ProjectID))); !found {
			return fmt.Sprintf("project %d does not exist", *m.ProjectID)
		}
		a.ProjectID = m.ProjectID
	case "department":
		if _, found := org.department(*m.DepartmentID); !found {
			return fmt.Sprintf("department %q does not exist", *m.DepartmentID)
		}
		a.DepartmentID = *m.DepartmentID
	case "cluster":
		if _, found := org.cluster(strings.ToLower(*m.ClusterID)); !found {
			return fmt.Sprintf("cluster %s does not exist", *m.ClusterID)
		}
		a.ClusterID = strings.ToLower(*m.ClusterID)
	}
	return ""
}

// checkAssetSpec applies the type's spec rules: existingSecretName, or every
// inline field (never both).
func checkAssetSpec(t *assetType, req *assetCreateRequest) (assetSpec, string) {
	in := req.Spec
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	sp := assetSpec{
		ExistingSecretName: str(in.ExistingSecretName), AccessKeyID: str(in.AccessKeyID),
		SecretAccessKey: str(in.SecretAccessKey), User: str(in.User), Password: str(in.Password),
		URL: str(in.URL), NgcAPIKey: str(in.NgcAPIKey),
	}
	var inline []string
	set := map[string]bool{}
	switch t.path {
	case "access-key":
		inline = []string{"accessKeyId", "secretAccessKey"}
		set["accessKeyId"], set["secretAccessKey"] = in.AccessKeyID != nil, in.SecretAccessKey != nil
	case "password":
		inline = []string{"user", "password"}
		set["user"], set["password"] = in.User != nil, in.Password != nil
	case "docker-registry":
		inline = []string{"user", "password", "url"}
		set["user"], set["password"], set["url"] = in.User != nil, in.Password != nil, in.URL != nil
	case "generic-secret":
		inline = []string{"keyValuePairs"}
		set["keyValuePairs"] = in.KeyValuePairs != nil
	case "ngc-api-key":
		if in.NgcAPIKey == nil {
			return sp, "spec.ngc_api_key is required"
		}
		return sp, ""
	}
	if sp.ExistingSecretName != "" {
		for _, f := range inline {
			if set[f] {
				return sp, fmt.Sprintf("spec.existingSecretName cannot be combined with spec.%s: use one or the other", f)
			}
		}
		return sp, ""
	}
	for _, f := range inline {
		if !set[f] {
			return sp, fmt.Sprintf("spec.%s is required when spec.existingSecretName is not set", f)
		}
	}
	if t.path == "generic-secret" {
		if len(in.KeyValuePairs) == 0 {
			return sp, "spec.keyValuePairs must hold at least one key"
		}
		seen := map[string]bool{}
		for i, kv := range in.KeyValuePairs {
			switch {
			case kv == nil || kv.Key == nil || *kv.Key == "":
				return sp, fmt.Sprintf("spec.keyValuePairs[%d].key is required", i)
			case seen[*kv.Key]:
				return sp, fmt.Sprintf("spec.keyValuePairs: key %q appears twice", *kv.Key)
			case kv.Value == nil:
				return sp, fmt.Sprintf("spec.keyValuePairs[%d].value is required (key %q)", i, *kv.Key)
			}
			seen[*kv.Key] = true
			sp.KeyValuePairs = append(sp.KeyValuePairs, kvPair{Key: *kv.Key, Value: *kv.Value})
		}
	}
	return sp, ""
}

// assetNameKey is the uniqueness key of an asset: type, scope, scope id,
// name.
func assetNameKey(a *asset) string {
	return a.Type + "\x00" + a.Scope + "\x00" + scopeID(a) + "\x00" + a.Name
}

func scopeID(a *asset) string {
	switch a.Scope {
	case "project":
		return strconv.Itoa(int(*a.ProjectID))
	case "department":
		return a.DepartmentID
	case "cluster":
		return a.ClusterID
	}
	return ""
}

// scopeLabel names an asset's scope for messages: "project 12", "tenant".
func scopeLabel(a *asset) string {
	if a.Scope == "tenant" {
		return "the tenant"
	}
	return a.Scope + " " + scopeID(a)
}
