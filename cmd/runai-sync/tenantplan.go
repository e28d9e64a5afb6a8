package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/atomicfile"
)

// tenantsPlanFile is a plan saved by plan --out with a tenants file: each
// tenant's saved plan exactly as plan --out writes it for one tenant, so
// that apply checks each the same way, and refuses each one that is stale.
type tenantsPlanFile struct {
	FormatVersion string              `json:"formatVersion"`
	Tenants       []tenantsPlanTenant `json:"tenants"`
}

// tenantsPlanTenant is one tenant of a saved plan.
type tenantsPlanTenant struct {
	Name string          `json:"name"`
	URL  string          `json:"url"`
	Plan json.RawMessage `json:"plan"`
}

// tenantPlans collects the saved plans of the tenants of one plan --out.
type tenantPlans struct {
	mu    sync.Mutex
	plans map[string]tenantsPlanTenant
}

// save encodes the tenant's saved plan as savePlan writes it, through a
// private temporary file, and keeps it.
func (tp *tenantPlans) save(env *Env, s *session, t *tenant, opts diff.Options) error {
	dir, err := os.MkdirTemp("", "runai-sync-plan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "plan.json")
	quiet := *env
	quiet.Stderr = io.Discard // "Saved the plan to …" names the temporary file
	if err := savePlan(&quiet, s, tmp, t.files, opts); err != nil {
		return err
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.plans == nil {
		tp.plans = map[string]tenantsPlanTenant{}
	}
	tp.plans[t.name] = tenantsPlanTenant{Name: t.name, URL: t.url, Plan: json.RawMessage(bytes.TrimSpace(b))}
	return nil
}

// write saves the plans of every tenant of results to path, or none when
// a tenant failed: a saved plan is applied whole or not at all.
func (tp *tenantPlans) write(env *Env, path string, results []*tenantResult, runErr error) error {
	var failed []string
	out := tenantsPlanFile{FormatVersion: "1"}
	for _, r := range results {
		p, ok := tp.plans[r.name]
		if !ok || r.code == 1 {
			failed = append(failed, r.name)
			continue
		}
		out.Tenants = append(out.Tenants, p)
	}
	if len(failed) > 0 {
		fmt.Fprintf(env.Stderr, "The plan was not saved to %s: no plan of %s (%s) to save.\n", path, plural(len(failed), "tenant"), strings.Join(failed, ", "))
		return runErr
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	fmt.Fprintf(env.Stderr, "Saved the plan of %s to %s; apply exactly this plan with: runai-sync apply --yes %s\n", plural(len(out.Tenants), "tenant"), path, path)
	return runErr
}

// readTenantsPlan reads a saved plan of tenants; ok is false when path
// holds a plan of one tenant (or no plan: readPlan says why).
func readTenantsPlan(path string) (p *tenantsPlanFile, ok bool, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	var f tenantsPlanFile
	if json.Unmarshal(b, &f) != nil || f.Tenants == nil {
		return nil, false, nil
	}
	if f.FormatVersion != "1" {
		return nil, true, fmt.Errorf("%s is a plan of tenants of format %q; this runai-sync reads format \"1\": make a new plan", path, f.FormatVersion)
	}
	return &f, true, nil
}

// applyTenantsPlan applies a saved plan of tenants: each tenant's plan is
// checked and applied as apply PLAN does for one, with the connection the
// tenants file gives the tenant of that name.
func (c *ApplyCmd) applyTenantsPlan(ctx context.Context, env *Env, g *Globals, f *tenantsPlanFile) error {
	if len(c.Tenant) > 0 || c.AllTenants {
		return errors.New("a saved plan names its tenants: give only the plan file (and --yes)")
	}
	byName := map[string]tenantsPlanTenant{}
	names := make([]string, len(f.Tenants))
	for i, t := range f.Tenants {
		if _, dup := byName[t.Name]; dup {
			return &ExitError{Code: 1, Err: fmt.Errorf("%s names tenant %s twice; nothing was sent: make a new plan", c.Plan, t.Name)}
		}
		byName[t.Name], names[i] = t, t.Name
	}
	return c.TenantFlags.run(ctx, env, g, tenantRun{names: names, output: "text", several: c.several,
		run: func(ctx context.Context, env *Env, t *tenant) (*diff.Plan, error) {
			// The plan was reviewed as that of the tenant at its URL: the
			// same changes sent to another (the tenants file changed, or
			// the plan was edited) are not what was reviewed.
			if u := byName[t.name].URL; u != t.url {
				return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s was made for tenant %s at %s, and the tenants file now gives %s; nothing was sent: make a new plan", c.Plan, t.name, u, t.url)}
			}
			saved, err := decodeSaved(byName[t.name].Plan, c.Plan+" (tenant "+t.name+")")
			if err != nil {
				return nil, err
			}
			t.files = saved.Files
			return nil, c.apply(ctx, env, t, saved)
		}})
}

// decodeSaved reads one tenant's saved plan with readPlan, through a
// private temporary file.
func decodeSaved(b json.RawMessage, name string) (*diff.Saved, error) {
	dir, err := os.MkdirTemp("", "runai-sync-plan-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, err
	}
	saved, err := readPlan(tmp)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.ReplaceAll(err.Error(), tmp, "the plan"))
	}
	return saved, nil
}
