package main

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

// Targets of validating many documents (issue 12).
const (
	validateWallTarget = 2 * time.Second
	validateRSSTarget  = 400 << 10 // KiB
)

// validateScenario runs `validate -f DIR` over docs credentials, 1,000 to
// a file (a file may hold 20,000), rounds times: wall time, CPU and peak
// RSS, medians (RSS: the largest).
func validateScenario(bin string, docs, rounds int) ([]measurement, error) {
	dir, err := os.MkdirTemp("", "runai-sync-bench-validate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := writeCredentials(dir, docs, 1000, "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata:\n  name: cred-%06[1]d\n  description: Bench credential %[1]d\n  scope: project\n  project: sandbox\n"+
		"spec:\n  type: password\n  user: user-%[1]d\n  password: {fromEnv: SECRET_VALUE}\n"); err != nil {
		return nil, err
	}
	var got []measurement
	for range rounds {
		m := measurement{op: "validate", n: docs}
		out, err := measure(&m, exec.Command(bin, "validate", "-f", dir))
		if err != nil {
			return nil, fmt.Errorf("validate of %d documents: %w\n%s", docs, err, tail(out))
		}
		m.ideal = validateWallTarget
		fmt.Printf("validate     n=%-6d wall %-10v cpu %-10v peak RSS %.1f MiB (load %s)\n", docs, m.wall.Round(time.Millisecond), m.cpu.Round(time.Millisecond), float64(m.rssKiB)/1024, m.load)
		got = append(got, m)
	}
	slices.SortFunc(got, func(a, b measurement) int { return cmp.Compare(a.wall, b.wall) })
	med := got[len(got)/2]
	for _, g := range got {
		med.rssKiB = max(med.rssKiB, g.rssKiB)
	}
	return []measurement{med}, nil
}

// validateTargets checks the promises of validating many documents; the
// ratio is measured ÷ target (at most 1 when met).
func validateTargets(vms []measurement) []target {
	var ts []target
	for _, m := range vms {
		ts = append(ts,
			target{fmt.Sprintf("validate of %d documents in at most 2 s", m.n), fmt.Sprintf("%v (%.2f× the target; CPU %v, load %s)", m.wall.Round(time.Millisecond), m.ratio(), m.cpu.Round(10*time.Millisecond), m.load), m.wall <= validateWallTarget},
			target{"peak RSS of that validate at most 400 MiB", fmt.Sprintf("%.1f MiB (%.2f× the target)", float64(m.rssKiB)/1024, float64(m.rssKiB)/validateRSSTarget), m.rssKiB <= validateRSSTarget})
	}
	return ts
}
