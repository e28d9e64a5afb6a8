// Command bench is what `make bench` runs: Go benchmarks of the pure parts,
// then the built binary against the emulator on loopback with added latency
// at several sizes, measuring wall time, HTTP requests and peak RSS of a
// first apply, a no-op plan and a full prune. It writes BENCHMARKS.md.
//
//	go run ./internal/bench -bin bin/runai-sync -out BENCHMARKS.md
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/runai-sync", "the runai-sync binary")
	out := flag.String("out", "BENCHMARKS.md", "where to write the report")
	sizes := flag.String("sizes", "100,1000,10000", "numbers of credentials")
	latency := flag.Duration("latency", 20*time.Millisecond, "latency the emulator adds to every request")
	parallelism := flag.Int("parallelism", 10, "apply --parallelism")
	rounds := flag.Int("rounds", 3, "rounds of apply, plan and prune per size; medians are reported")
	tenants := flag.Int("tenants", 20, "tenants of the many-tenants scenario, each its own emulator (0: skip it)")
	tenantSize := flag.Int("tenant-size", 500, "credentials of each tenant in the many-tenants scenario")
	validateDocs := flag.Int("validate-docs", 100000, "documents of the validate scenario (0: skip it)")
	flag.Parse()
	if err := run(*bin, *out, *sizes, *latency, *parallelism, *rounds, *tenants, *tenantSize, *validateDocs); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// measurement is one run of the binary.
type measurement struct {
	op       string
	n        int
	wall     time.Duration
	requests int
	rssKiB   int64
	ideal    time.Duration
	cpu      time.Duration // user and system time of the binary
	load     string        // the machine's load average when it ran
}

func (m measurement) ratio() float64 { return float64(m.wall) / float64(m.ideal) }

func run(bin, out, sizes string, latency time.Duration, parallelism, rounds, tenants, tenantSize, validateDocs int) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	fmt.Println("== Go benchmarks of the pure parts")
	goBench, err := goBenchmarks()
	if err != nil {
		return err
	}
	var ms []measurement
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("size %q: %w", s, err)
		}
		fmt.Printf("== %d credentials, %v latency, %d rounds\n", n, latency, rounds)
		got, err := scenario(bin, n, latency, parallelism, rounds)
		if err != nil {
			return err
		}
		ms = append(ms, got...)
	}
	var tms []measurement
	if tenants > 0 {
		fmt.Printf("== %d tenants × %d credentials, %v latency, %d rounds\n", tenants, tenantSize, latency, rounds)
		if tms, err = tenantsScenario(bin, tenants, tenantSize, latency, parallelism, rounds); err != nil {
			return err
		}
	}
	var vms []measurement
	if validateDocs > 0 {
		fmt.Printf("== validate of %d documents, %d rounds\n", validateDocs, rounds)
		if vms, err = validateScenario(bin, validateDocs, rounds); err != nil {
			return err
		}
	}
	report := render(goBench, ms, append(tenantTargets(tms, tenants, tenantSize), validateTargets(vms)...), latency, parallelism, rounds) +
		renderTenants(tms, tenants, tenantSize, latency, parallelism)
	fmt.Print(report)
	return writeReport(out, report)
}

// Markers delimit the measured part of the report file; the text around
// them (how to reproduce, what was found) is kept.
const (
	beginMark = "<!-- make bench: begin -->"
	endMark   = "<!-- make bench: end -->"
)

func writeReport(path, report string) error {
	old, err := os.ReadFile(path)
	body := beginMark + "\n" + report + endMark + "\n"
	if err == nil {
		s := string(old)
		if i, j := strings.Index(s, beginMark), strings.Index(s, endMark); i >= 0 && j > i {
			body = s[:i] + body + s[j+len(endMark)+1:]
		}
	}
	return os.WriteFile(path, []byte(body), 0o644)
}

// goBenchmarks runs the Go benchmarks and keeps their result lines.
func goBenchmarks() ([]string, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchtime", "10x", "-benchmem", "./diff", "./schema")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test -bench: %w\n%s", err, buf.String())
	}
	var lines []string
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Benchmark") {
			lines = append(lines, sc.Text())
			fmt.Println(sc.Text())
		}
	}
	return lines, nil
}

// scenario applies n credentials, plans with nothing to do, and prunes
// them all, each time against a fresh count of requests; rounds times, and
// returns the median of each operation (by wall time).
func scenario(bin string, n int, latency time.Duration, parallelism, rounds int) ([]measurement, error) {
	dir, err := os.MkdirTemp("", "runai-sync-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	full, empty := filepath.Join(dir, "full"), filepath.Join(dir, "empty")
	if err := writeManifests(full, n); err != nil {
		return nil, err
	}
	if err := writeManifests(empty, 0); err != nil {
		return nil, err
	}
	// The emulator runs in its own process: a child's peak RSS (ru_maxrss)
	// starts from its parent's at the fork, so the harness must stay small.
	emu, err := startEmulator(bin, latency)
	if err != nil {
		return nil, err
	}
	defer emu.stop()
	env := append(os.Environ(), "RUNAI_BASE_URL="+emu.url, "RUNAI_CLIENT_ID="+emu.id,
		"RUNAI_CLIENT_SECRET="+emu.secret, "SECRET_VALUE=bench-secret-value", "NO_COLOR=1",
		"RUNAI_SYNC_STATE="+filepath.Join(dir, "state.json"))
	steps := []struct {
		op       string
		args     []string
		parallel int
		repeat   int // runs per round (a plan changes nothing: its runs are alike)
	}{
		{"first apply", []string{"apply", "-f", full, "--yes", "--parallelism", strconv.Itoa(parallelism)}, parallelism, 1},
		// A plan's reads (credentials, projects, clusters) go out at once
		// after the login: requests ÷ 2 makes its ideal two round trips.
		{"no-op plan", []string{"plan", "-f", full, "--prune", "--detailed-exitcode"}, 0, planRuns},
		{"full prune", []string{"apply", "-f", empty, "--prune", "--allow-mass-delete", "--yes", "--parallelism", strconv.Itoa(parallelism)}, parallelism, 1},
	}
	all := map[string][]measurement{}
	for round := 0; round < rounds; round++ {
		for _, s := range steps {
			for range s.repeat {
				m, err := runStep(bin, env, dir, emu, s.op, s.args, n)
				if err != nil {
					return nil, err
				}
				m.ideal = time.Duration(m.requests) * latency / time.Duration(max(s.parallel, 1))
				if s.parallel == 0 {
					m.ideal = 2 * latency // the login, then every read at once
				}
				fmt.Printf("%-12s n=%-6d wall %-10v requests %-6d ideal %-10v ratio %.2f  peak RSS %.1f MiB  CPU %v  load %s\n",
					m.op, n, m.wall.Round(time.Millisecond), m.requests, m.ideal, m.ratio(), float64(m.rssKiB)/1024, m.cpu.Round(time.Millisecond), m.load)
				all[s.op] = append(all[s.op], m)
			}
		}
	}
	var ms []measurement
	for _, s := range steps {
		got := all[s.op]
		slices.SortFunc(got, func(a, b measurement) int { return cmp.Compare(a.wall, b.wall) })
		med := got[len(got)/2]
		// The peak RSS reported is the largest of the rounds, not the median.
		for _, g := range got {
			med.rssKiB = max(med.rssKiB, g.rssKiB)
		}
		ms = append(ms, med)
	}
	return ms, nil
}

// planRuns is how many no-op plans each round measures: a plan takes a
// fraction of a second and changes nothing, so several per round steady
// its median on a machine whose speed wanders.
const planRuns = 5

// runStep runs the binary once with args, counting the emulator's requests.
func runStep(bin string, env []string, dir string, emu *emulatorProcess, op string, args []string, n int) (measurement, error) {
	if err := emu.resetCounts(); err != nil {
		return measurement{}, err
	}
	m := measurement{op: op, n: n}
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Dir = env, dir
	out, err := measure(&m, cmd)
	if err != nil {
		return m, fmt.Errorf("%s of %d: %w\n%s", op, n, err, tail(out))
	}
	m.requests, err = emu.total()
	return m, err
}

// writeManifests writes n password credentials in project sandbox (7) by
// name, 500 to a file, and an Ownership of the project by name.
func writeManifests(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	own := "apiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: bench}\nspec:\n  credentials: [{scope: project, project: sandbox}]\n"
	if err := os.WriteFile(filepath.Join(dir, "ownership.yaml"), []byte(own), 0o644); err != nil {
		return err
	}
	return writeCredentials(dir, n, 500, "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata:\n  name: cred-%05[1]d\n  description: Bench credential %[1]d\n  scope: project\n  project: sandbox\n"+
		"spec:\n  type: password\n  user: user-%[1]d\n  password: {fromEnv: SECRET_VALUE}\n")
}

// writeCredentials writes n password credentials into dir, perFile
// documents to a file (creds-000.yaml, …); doc is the text of one, with %[1]d
// its number.
func writeCredentials(dir string, n, perFile int, doc string) error {
	for f := 0; f*perFile < n; f++ {
		var b strings.Builder
		for i := f * perFile; i < min(n, (f+1)*perFile); i++ {
			fmt.Fprintf(&b, doc, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("creds-%03d.yaml", f)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// target is one promise of the issue, checked against the measurements.
type target struct {
	what     string
	measured string
	met      bool
}

func targets(goBench []string, ms []measurement, extra []target) []target {
	find := func(op string, n int) (measurement, bool) {
		for _, m := range ms {
			if m.op == op && m.n == n {
				return m, true
			}
		}
		return measurement{}, false
	}
	var ts []target
	if m, ok := find("no-op plan", 1000); ok {
		ts = append(ts, target{"no-op plan of 1,000 credentials in at most 0.2 s", m.wall.Round(time.Millisecond).String(), m.wall <= 200*time.Millisecond})
	}
	maxReq := 0
	for _, m := range ms {
		if m.op == "no-op plan" {
			maxReq = max(maxReq, m.requests)
		}
	}
	if m, ok := find("no-op plan", 1000); ok {
		ts = append(ts, target{"no-op plan of 1,000 credentials, scoped by name, in at most 6 HTTP requests", strconv.Itoa(m.requests), m.requests <= 6})
	}
	ts = append(ts, target{"no-op plan in at most 6 HTTP requests, whatever N", fmt.Sprintf("%d at most", maxReq), maxReq <= 6})
	if m, ok := find("no-op plan", 10000); ok {
		ts = append(ts, target{"no-op plan of 10,000 credentials, scoped by name, in at most 0.4 s", m.wall.Round(time.Millisecond).String(), m.wall <= 400*time.Millisecond})
	}
	if m, ok := find("first apply", 1000); ok {
		ts = append(ts, target{"apply of 1,000 creates at 20 ms, parallelism 10, within 1.25x of the 2.0 s ideal", fmt.Sprintf("%v (%.2fx)", m.wall.Round(time.Millisecond), m.ratio()), m.ratio() <= 1.25})
	}
	peak := func(n int) int64 {
		var p int64
		for _, m := range ms {
			if m.n == n {
				p = max(p, m.rssKiB)
			}
		}
		return p
	}
	if p := peak(1000); p > 0 {
		ts = append(ts, target{"peak RSS at most 40 MiB at N = 1,000", fmt.Sprintf("%.1f MiB", float64(p)/1024), p <= 40<<10})
	}
	if p := peak(10000); p > 0 {
		ts = append(ts, target{"peak RSS at most 150 MiB at N = 10,000", fmt.Sprintf("%.1f MiB", float64(p)/1024), p <= 150<<10})
	}
	for _, l := range goBench {
		if f := strings.Fields(l); len(f) >= 3 && strings.HasPrefix(f[0], "BenchmarkCompute10000") {
			ns, _ := strconv.ParseFloat(f[2], 64)
			d := time.Duration(ns)
			ts = append(ts, target{"diff of 10,000 resources under 100 ms", d.Round(100 * time.Microsecond).String(), d < 100*time.Millisecond})
		}
	}
	return append(ts, extra...)
}

func render(goBench []string, ms []measurement, extra []target, latency time.Duration, parallelism, rounds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured on %s by `make bench` (Go %s, %d CPUs, %s/%s).\n\n", time.Now().UTC().Format("2006-01-02"), strings.TrimPrefix(runtime.Version(), "go"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	b.WriteString("### Targets\n\n| Target | Measured | Met |\n|---|---:|:---:|\n")
	for _, t := range targets(goBench, ms, extra) {
		met := "yes"
		if !t.met {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.what, t.measured, met)
	}
	b.WriteString("\n### Against the emulator\n\n")
	fmt.Fprintf(&b, "The built binary against `runai-sync emulator` on loopback in its own process, which adds %v to every request; apply runs with `--parallelism %d`, with the default file state. Each figure is the median of %d rounds of apply, plan and prune, with %d no-op plans in each round (peak RSS: the largest of the runs). ", latency, parallelism, rounds, planRuns)
	b.WriteString("*Ideal* is requests × latency ÷ parallelism (for a plan two round trips: the login, then its reads at once); the ratio is wall time ÷ ideal. Peak RSS is the binary's maximum resident set (`getrusage` of the child; the harness keeps itself small because a child's figure starts from its parent's).\n\n")
	b.WriteString("CPU is the binary's user and system time in that run; load, the machine's one-minute load average after it (this machine's speed wanders: read wall time beside both).\n\n")
	b.WriteString("| Operation | Credentials | Wall time | HTTP requests | Ideal | Ratio | Peak RSS | CPU | Load |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, m := range ms {
		fmt.Fprintf(&b, "| %s | %d | %v | %d | %v | %.2f× | %.1f MiB | %v | %s |\n", m.op, m.n, m.wall.Round(time.Millisecond), m.requests, m.ideal, m.ratio(), float64(m.rssKiB)/1024, m.cpu.Round(time.Millisecond), m.load)
	}
	b.WriteString("\n### Go benchmarks of the pure parts\n\n`go test -run '^$' -bench . -benchtime 10x -benchmem ./diff ./schema`: the diff of 10,000 resources, the three renderers over its plan, and loading and validating 1,000 documents.\n\n```\n")
	for _, l := range goBench {
		b.WriteString(l + "\n")
	}
	b.WriteString("```\n")
	return b.String()
}

// emulatorProcess is `runai-sync emulator` running beside the harness.
type emulatorProcess struct {
	cmd             *exec.Cmd
	url, id, secret string
}

func startEmulator(bin string, latency time.Duration) (*emulatorProcess, error) {
	cmd := exec.Command(bin, "emulator", "--addr", "127.0.0.1:0", "--latency", latency.String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &emulatorProcess{cmd: cmd}
	vars := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(vars) < 5 && sc.Scan() {
		if name, value, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			vars[name] = value
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	e.url, e.id, e.secret = vars["RUNAI_BASE_URL"], vars["RUNAI_CLIENT_ID"], vars["RUNAI_CLIENT_SECRET"]
	if e.url == "" {
		e.stop()
		return nil, fmt.Errorf("the emulator printed no RUNAI_BASE_URL")
	}
	return e, nil
}

func (e *emulatorProcess) stop() {
	_ = e.cmd.Process.Signal(os.Interrupt)
	_ = e.cmd.Wait()
}

func (e *emulatorProcess) resetCounts() error {
	resp, err := http.Post(e.url+"/_emulator/reset-counts", "application/json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// total reads the requests the emulator counted since the last reset.
func (e *emulatorProcess) total() (int, error) {
	resp, err := http.Get(e.url + "/_emulator/stats")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var stats struct{ Total int }
	err = json.NewDecoder(resp.Body).Decode(&stats)
	return stats.Total, err
}

// measure runs cmd (its output captured) and fills in m's wall time, CPU
// time, peak RSS and the machine's load; it returns the output, whose tail
// goes into the error when the command fails.
func measure(m *measurement, cmd *exec.Cmd) (string, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	m.wall = time.Since(start)
	if err != nil {
		return out.String(), err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKiB = ru.Maxrss // KiB on Linux
	}
	m.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.load = strings.Join(strings.Fields(string(b))[:1], "")
	}
	return out.String(), nil
}
