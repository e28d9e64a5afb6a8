package runai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/orgunit"
)

// The org-unit listings (runai-orgunits-authorization.json).
const (
	projectsPath    = "/api/v1/org-unit/projects"
	departmentsPath = "/api/v1/org-unit/departments"
	clustersPath    = "/api/v1/clusters"
	// orgPageLimit is the largest page the spec allows: a tenant of up to
	// 500 projects is one request.
	orgPageLimit = 500
	// orgMaxPages bounds a listing whose next never ends.
	orgMaxPages = 10000
)

var _ orgunit.Lister = (*Client)(nil)

// unitID is an org-unit id: a string in the spec, whose own examples are
// bare numbers, so a number is read too.
type unitID string

// UnmarshalJSON accepts "12" and 12.
func (u *unitID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		var n json.Number
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&n); err != nil {
			return err
		}
		*u = unitID(n.String())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*u = unitID(s)
	return nil
}

type wireProject struct {
	ID        unitID `json:"id"`
	Name      string `json:"name"`
	ParentID  unitID `json:"parentId"`
	ClusterID string `json:"clusterId"`
}

type wireDepartment struct {
	ID        unitID `json:"id"`
	Name      string `json:"name"`
	ClusterID string `json:"clusterId"`
}

type wireCluster struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// ListProjects implements orgunit.Lister: GET /api/v1/org-unit/projects,
// page after page.
func (c *Client) ListProjects(ctx context.Context) ([]orgunit.Project, error) {
	var out []orgunit.Project
	err := c.pages(ctx, "list projects", projectsPath, func(body []byte) (*int, error) {
		var page struct {
			Projects []wireProject `json:"projects"`
			Next     *int          `json:"next"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		for _, p := range page.Projects {
			out = append(out, orgunit.Project{ID: string(p.ID), Name: p.Name, DepartmentID: string(p.ParentID), ClusterID: strings.ToLower(p.ClusterID)})
		}
		return page.Next, nil
	})
	return out, err
}

// ListDepartments implements orgunit.Lister: GET
// /api/v1/org-unit/departments, page after page.
func (c *Client) ListDepartments(ctx context.Context) ([]orgunit.Department, error) {
	var out []orgunit.Department
	err := c.pages(ctx, "list departments", departmentsPath, func(body []byte) (*int, error) {
		var page struct {
			Departments []wireDepartment `json:"departments"`
			Next        *int             `json:"next"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		for _, d := range page.Departments {
			out = append(out, orgunit.Department{ID: string(d.ID), Name: d.Name, ClusterID: strings.ToLower(d.ClusterID)})
		}
		return page.Next, nil
	})
	return out, err
}

// ListClusters implements orgunit.Lister: GET /api/v1/clusters (one
// array, not paged).
func (c *Client) ListClusters(ctx context.Context) ([]orgunit.Cluster, error) {
	var wire []wireCluster
	req := rest.Request{Method: http.MethodGet, Path: clustersPath, Query: url.Values{"verbosity": {"metadata"}}}
	if _, err := c.call(ctx, "list clusters", manifest.Key{}, req, &wire); err != nil {
		return nil, err
	}
	out := make([]orgunit.Cluster, len(wire))
	for i, w := range wire {
		out[i] = orgunit.Cluster{ID: strings.ToLower(w.UUID), Name: w.Name}
	}
	return out, nil
}

// pages follows a paged org-unit listing from offset 0 until a page has no
// next; read decodes one page and returns its next.
func (c *Client) pages(ctx context.Context, op, path string, read func([]byte) (*int, error)) error {
	offset := 0
	for range c.maxPages {
		q := url.Values{"limit": {strconv.Itoa(orgPageLimit)}}
		if offset > 0 {
			q.Set("offset", strconv.Itoa(offset))
		}
		var raw json.RawMessage
		if _, err := c.call(ctx, op, manifest.Key{}, rest.Request{Method: http.MethodGet, Path: path, Query: q}, &raw); err != nil {
			return err
		}
		next, err := read(raw)
		if err != nil {
			return c.wrap(op, manifest.Key{}, fmt.Errorf("the reply is not the org-unit listing: %w", err))
		}
		if next == nil {
			return nil
		}
		if *next <= offset {
			return c.wrap(op, manifest.Key{}, fmt.Errorf("the listing's next (%d) does not move past offset %d", *next, offset))
		}
		offset = *next
	}
	return c.wrap(op, manifest.Key{}, fmt.Errorf("more than %d pages", c.maxPages))
}
