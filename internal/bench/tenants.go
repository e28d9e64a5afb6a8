package main

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tenantsScenario is many tenants from one repository: a tenants file of
// tenants entries, each its own emulator process, sharing base manifests of
// size credentials (${tenant} in each description). It applies them all
// once (apply --all-tenants), then measures a no-op plan --all-tenants
// rounds times and returns the median (peak RSS: the largest).
func tenantsScenario(bin string, tenants, size int, latency time.Duration, parallelism, rounds int) ([]measurement, error) {
	dir, err := os.MkdirTemp("", "runai-sync-bench-tenants-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := writeTenantManifests(filepath.Join(dir, "base"), size); err != nil {
		return nil, err
	}
	emus := make([]*emulatorProcess, tenants)
	defer func() {
		for _, e := range emus {
			if e != nil {
				e.stop()
			}
		}
	}()
	env := append(os.Environ(), "SECRET_VALUE=bench-secret-value", "NO_COLOR=1")
	var file strings.Builder
	file.WriteString("apiVersion: runai-sync/v1\nkind: Tenants\ndefaults:\n  manifests: [base/]\ntenants:\n")
	for i := range emus {
		if emus[i], err = startEmulator(bin, latency); err != nil {
			return nil, err
		}
		fmt.Fprintf(&file, "  - name: tenant-%02d\n    url: %s\n    clientId: {fromEnv: T%02d_ID}\n    clientSecret: {fromEnv: T%02d_SECRET}\n", i, emus[i].url, i, i)
		env = append(env, fmt.Sprintf("T%02d_ID=%s", i, emus[i].id), fmt.Sprintf("T%02d_SECRET=%s", i, emus[i].secret))
	}
	if err := os.WriteFile(filepath.Join(dir, "runai-sync.yaml"), []byte(file.String()), 0o644); err != nil {
		return nil, err
	}
	reset := func() error {
		for _, e := range emus {
			if err := e.resetCounts(); err != nil {
				return err
			}
		}
		return nil
	}
	total := func() (int, error) {
		n := 0
		for _, e := range emus {
			t, err := e.total()
			if err != nil {
				return 0, err
			}
			n += t
		}
		return n, nil
	}
	const tenantParallelism = 4
	measure := func(op string, parallel int, args ...string) (measurement, error) {
		if err := reset(); err != nil {
			return measurement{}, err
		}
		m := measurement{op: op, n: tenants * size}
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, dir
		out, err := measure(&m, cmd)
		if err != nil {
			return m, fmt.Errorf("%s: %w\n%s", op, err, tail(out))
		}
		if m.requests, err = total(); err != nil {
			return m, err
		}
		m.ideal = time.Duration(m.requests) * latency / time.Duration(parallel)
		fmt.Printf("%-28s n=%-6d wall %-10v requests %-6d ideal %-10v ratio %.2f  peak RSS %.1f MiB  CPU %v  load %s\n",
			m.op, m.n, m.wall.Round(time.Millisecond), m.requests, m.ideal, m.ratio(), float64(m.rssKiB)/1024, m.cpu.Round(time.Millisecond), m.load)
		return m, nil
	}
	apply, err := measure("apply --all-tenants", tenantParallelism*parallelism, "apply", "--all-tenants", "--yes",
		"--parallelism", strconv.Itoa(parallelism), "--tenant-parallelism", strconv.Itoa(tenantParallelism))
	if err != nil {
		return nil, err
	}
	var plans []measurement
	for range rounds {
		m, err := measure("no-op plan --all-tenants", tenantParallelism, "plan", "--all-tenants", "--detailed-exitcode",
			"--tenant-parallelism", strconv.Itoa(tenantParallelism))
		if err != nil {
			return nil, err
		}
		plans = append(plans, m)
	}
	slices.SortFunc(plans, func(a, b measurement) int { return cmp.Compare(a.wall, b.wall) })
	med := plans[len(plans)/2]
	for _, p := range plans {
		med.rssKiB = max(med.rssKiB, p.rssKiB)
	}
	return []measurement{apply, med}, nil
}

// writeTenantManifests writes size password credentials in project 7, 500
// to a file, whose descriptions name the tenant, and an Ownership.
func writeTenantManifests(dir string, size int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	own := "apiVersion: runai-sync/v1\nkind: Ownership\nmetadata:\n  name: ${tenant}\nspec:\n  credentials: [{scope: project, projectId: 7}]\n"
	if err := os.WriteFile(filepath.Join(dir, "ownership.yaml"), []byte(own), 0o644); err != nil {
		return err
	}
	return writeCredentials(dir, size, 500, "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata:\n  name: cred-%05[1]d\n  description: Credential %[1]d of ${tenant}\n  scope: project\n  projectId: 7\n"+
		"spec:\n  type: password\n  user: user-%[1]d\n  password: {fromEnv: SECRET_VALUE}\n")
}

// tenantTargets are the promises of the tenants issue.
func tenantTargets(tms []measurement, tenants, size int) []target {
	var ts []target
	for _, m := range tms {
		if m.op != "no-op plan --all-tenants" {
			continue
		}
		ts = append(ts,
			target{fmt.Sprintf("plan --all-tenants of %d tenants × %d credentials at 20 ms in at most 2 s", tenants, size), m.wall.Round(time.Millisecond).String(), m.wall <= 2*time.Second},
			target{"peak RSS of that plan at most 250 MiB", fmt.Sprintf("%.1f MiB", float64(m.rssKiB)/1024), m.rssKiB <= 250<<10})
	}
	return ts
}

// renderTenants is the report's section on many tenants.
func renderTenants(tms []measurement, tenants, size int, latency time.Duration, parallelism int) string {
	if len(tms) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Many tenants\n\nA tenants file of %d tenants, each its own `runai-sync emulator` process adding %v to every request, sharing base manifests of %d credentials (`${tenant}` in each description): one `apply --all-tenants --yes --parallelism %d`, then a no-op `plan --all-tenants --detailed-exitcode` (median of the rounds; peak RSS the largest), both at the default `--tenant-parallelism 4`. *Ideal* divides requests × latency by the requests in flight at once (4 tenants, times the apply's parallelism).\n\n", tenants, latency, size, parallelism)
	b.WriteString("*CPU* is the binary's user and system time; *load* the machine's one-minute load average as it ran (on 2 CPUs, a load above 2 means the binary waited for a CPU: then wall time says more about the machine than about runai-sync).\n\n")
	b.WriteString("| Operation | Credentials in all | Wall time | HTTP requests | Ideal | Ratio | Peak RSS | CPU | Load |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range tms {
		fmt.Fprintf(&b, "| %s | %d | %v | %d | %v | %.2f× | %.1f MiB | %v | %s |\n", m.op, m.n, m.wall.Round(time.Millisecond), m.requests, m.ideal, m.ratio(), float64(m.rssKiB)/1024, m.cpu.Round(10*time.Millisecond), m.load)
	}
	return b.String()
}
