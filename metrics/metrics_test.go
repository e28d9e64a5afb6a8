package metrics

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

var (
	t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Hour)
)

// value finds the gauge of name whose labels include want.
func value(t *testing.T, mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	t.Helper()
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	if mf.GetType() != dto.MetricType_GAUGE {
		t.Errorf("%s is a %s, want a gauge", name, mf.GetType())
	}
next:
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

// expect checks gauges: name -> labels -> value.
type point struct {
	name   string
	labels map[string]string
	want   float64
}

func check(t *testing.T, mfs map[string]*dto.MetricFamily, points ...point) {
	t.Helper()
	for _, p := range points {
		got, found := value(t, mfs, p.name, p.labels)
		if !found || got != p.want {
			t.Errorf("%s%v = %v (found %v), want %v", p.name, p.labels, got, found, p.want)
		}
	}
}

func readBack(t *testing.T, path string) map[string]*dto.MetricFamily {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mfs, err := Parse(data)
	if err != nil {
		t.Fatalf("the metrics file does not parse: %v\n%s", err, data)
	}
	return mfs
}

func TestWriteFileParsesBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runai_sync.prom")
	r := Run{Command: "drift", Started: t0.Add(-1500 * time.Millisecond), Finished: t0, Results: []Result{{
		Objects:   map[string]int{"Credential": 3, "ServiceAccount": 1},
		Changes:   map[string]int{"update": 1, "delete": 1},
		Drifted:   IntP(2),
		Unhealthy: IntP(1),
	}}}
	if err := WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644 for node_exporter", fi.Mode().Perm(), err)
	}
	mfs := readBack(t, path)
	d := map[string]string{"command": "drift"}
	with := func(k, v string) map[string]string { return map[string]string{"command": "drift", k: v} }
	check(t, mfs,
		point{"runai_sync_objects", with("kind", "Credential"), 3},
		point{"runai_sync_objects", with("kind", "ServiceAccount"), 1},
		point{"runai_sync_changes", with("action", "create"), 0},
		point{"runai_sync_changes", with("action", "update"), 1},
		point{"runai_sync_changes", with("action", "replace"), 0},
		point{"runai_sync_changes", with("action", "delete"), 1},
		point{"runai_sync_drifted_objects", d, 2},
		point{"runai_sync_unhealthy_objects", d, 1},
		point{"runai_sync_success", d, 1},
		point{"runai_sync_last_success_timestamp_seconds", d, float64(t0.Unix())},
		point{"runai_sync_last_run_timestamp_seconds", d, float64(t0.Unix())},
		point{"runai_sync_last_run_duration_seconds", d, 1.5},
	)
	if _, found := mfs["runai_sync_audit_findings"]; found {
		t.Error("a drift run exports audit findings")
	}
	for _, m := range mfs["runai_sync_objects"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "tenant" {
				t.Error("one tenant, yet a tenant label")
			}
		}
	}
}

// TestFailedRunKeepsLastSuccess: a failed run says so and keeps the last
// success time of the file it replaces.
func TestFailedRunKeepsLastSuccess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runai_sync.prom")
	if err := WriteFile(path, Run{Command: "apply", Started: t0, Finished: t0, Results: []Result{{Changes: map[string]int{"create": 2}}}}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, Run{Command: "apply", Started: t1.Add(-time.Second), Finished: t1, Results: []Result{{Failed: true}}}); err != nil {
		t.Fatal(err)
	}
	a := map[string]string{"command": "apply"}
	mfs := readBack(t, path)
	check(t, mfs,
		point{"runai_sync_success", a, 0},
		point{"runai_sync_last_success_timestamp_seconds", a, float64(t0.Unix())},
		point{"runai_sync_last_run_timestamp_seconds", a, float64(t1.Unix())},
	)
	if _, found := mfs["runai_sync_changes"]; found {
		t.Error("a failed apply that measured nothing exports changes")
	}
	// Never succeeded: no last success time at all.
	fresh := filepath.Join(t.TempDir(), "fresh.prom")
	if err := WriteFile(fresh, Run{Command: "apply", Started: t1, Finished: t1, Results: []Result{{Failed: true}}}); err != nil {
		t.Fatal(err)
	}
	if _, found := readBack(t, fresh)["runai_sync_last_success_timestamp_seconds"]; found {
		t.Error("a run that never succeeded has a last success time")
	}
}

// TestSeveralTenants labels each tenant's series, and keeps each tenant's
// own last success time.
func TestSeveralTenants(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runai_sync.prom")
	audit := func(at time.Time, failB bool) Run {
		return Run{Command: "audit", Started: at, Finished: at, Results: []Result{
			{Tenant: "acme-prod", Objects: map[string]int{"AccessKey": 4}, Findings: map[string]int{"warning": 2, "critical": 1}, Unhealthy: IntP(1)},
			{Tenant: "acme-dev", Objects: map[string]int{"AccessKey": 1}, Findings: map[string]int{}, Unhealthy: IntP(0), Failed: failB},
		}}
	}
	if err := WriteFile(path, audit(t0, false)); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, audit(t1, true)); err != nil {
		t.Fatal(err)
	}
	tenant := func(name string, more ...string) map[string]string {
		m := map[string]string{"command": "audit", "tenant": name}
		for i := 0; i+1 < len(more); i += 2 {
			m[more[i]] = more[i+1]
		}
		return m
	}
	check(t, readBack(t, path),
		point{"runai_sync_audit_findings", tenant("acme-prod", "severity", "info"), 0},
		point{"runai_sync_audit_findings", tenant("acme-prod", "severity", "warning"), 2},
		point{"runai_sync_audit_findings", tenant("acme-prod", "severity", "critical"), 1},
		point{"runai_sync_audit_findings", tenant("acme-dev", "severity", "warning"), 0},
		point{"runai_sync_objects", tenant("acme-prod", "kind", "AccessKey"), 4},
		point{"runai_sync_unhealthy_objects", tenant("acme-prod"), 1},
		point{"runai_sync_success", tenant("acme-prod"), 1},
		point{"runai_sync_success", tenant("acme-dev"), 0},
		point{"runai_sync_last_success_timestamp_seconds", tenant("acme-prod"), float64(t1.Unix())},
		point{"runai_sync_last_success_timestamp_seconds", tenant("acme-dev"), float64(t0.Unix())},
	)
}

// TestWriteFileReplacesForeignContent: a file that is not text exposition
// is replaced, not an error.
func TestWriteFileReplacesForeignContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runai_sync.prom")
	if err := os.WriteFile(path, []byte("not { metrics\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, Run{Command: "plan", Started: t0, Finished: t0, Results: []Result{{}}}); err != nil {
		t.Fatal(err)
	}
	check(t, readBack(t, path), point{"runai_sync_success", map[string]string{"command": "plan"}, 1})
}
