package metrics

import (
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Namespace prefixes every metric name.
const Namespace = "runai_sync"

// Result is what one command found for one tenant. A nil map or pointer is
// a quantity the command does not measure, and is left out.
type Result struct {
	// Tenant names the tenant; it becomes the tenant label when the run
	// has several.
	Tenant string
	// Objects counts the objects looked at, by kind.
	Objects map[string]int
	// Changes counts the changes by action: create, update, replace,
	// delete (absent actions are 0).
	Changes map[string]int
	// Drifted counts the objects that differ from the manifests.
	Drifted *int
	// Unhealthy counts the live objects whose sync status is unhealthy.
	Unhealthy *int
	// Findings counts audit findings by severity: info, warning, critical
	// (absent severities are 0).
	Findings map[string]int
	// Failed is set when the command failed for the tenant (an error, not
	// drift or findings, which are results).
	Failed bool
}

// Run is one command run over one or more tenants.
type Run struct {
	// Command is plan, apply, drift or audit.
	Command string
	// Started and Finished bound the run.
	Started, Finished time.Time
	// Results holds one Result per tenant.
	Results []Result
}

// Actions are the change actions always exported, zeros included.
var Actions = []string{"create", "update", "replace", "delete"}

// Severities are the finding severities always exported, zeros included.
var Severities = []string{"info", "warning", "critical"}

// IntP returns a pointer to n, for Result's optional counts.
func IntP(n int) *int { return &n }

// labelling says which labels the series carry: a push's grouping adds
// command (and tenant) itself, and refuses series that have them.
type labelling struct {
	command, tenant bool
}

// registry builds the metrics of results. lastSuccess gives the previous
// success time by tenant, kept for a failed result.
func (r Run) registry(results []Result, with labelling, lastSuccess map[string]float64) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	tenantLabel := with.tenant
	var cl prometheus.Labels
	if with.command {
		cl = prometheus.Labels{"command": r.Command}
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		if tenantLabel {
			labels = append([]string{"tenant"}, labels...)
		}
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help, ConstLabels: cl}, labels)
		reg.MustRegister(g)
		return g
	}
	lv := func(res Result, more ...string) []string {
		if tenantLabel {
			return append([]string{res.Tenant}, more...)
		}
		return more
	}
	var objects, changes, drifted, unhealthy, findings *prometheus.GaugeVec
	for _, res := range results {
		if res.Objects != nil {
			if objects == nil {
				objects = gauge("objects", "Objects the run looked at, by kind.", "kind")
			}
			for _, kind := range sortedKeys(res.Objects) {
				objects.WithLabelValues(lv(res, kind)...).Set(float64(res.Objects[kind]))
			}
		}
		if res.Changes != nil {
			if changes == nil {
				changes = gauge("changes", "Changes by action (planned for plan and drift, made for apply).", "action")
			}
			for _, a := range Actions {
				changes.WithLabelValues(lv(res, a)...).Set(float64(res.Changes[a]))
			}
		}
		if res.Drifted != nil {
			if drifted == nil {
				drifted = gauge("drifted_objects", "Objects that differ from the manifests.")
			}
			drifted.WithLabelValues(lv(res)...).Set(float64(*res.Drifted))
		}
		if res.Unhealthy != nil {
			if unhealthy == nil {
				unhealthy = gauge("unhealthy_objects", "Live objects whose sync status is Failed, Issues found or Deletion failed.")
			}
			unhealthy.WithLabelValues(lv(res)...).Set(float64(*res.Unhealthy))
		}
		if res.Findings != nil {
			if findings == nil {
				findings = gauge("audit_findings", "Audit findings by severity.", "severity")
			}
			for _, s := range Severities {
				findings.WithLabelValues(lv(res, s)...).Set(float64(res.Findings[s]))
			}
		}
	}
	success := gauge("success", "1 when the last run succeeded, else 0.")
	var last *prometheus.GaugeVec
	for _, res := range results {
		t, known := lastSuccess[res.Tenant]
		ok := 0.0
		if !res.Failed {
			ok, t, known = 1, seconds(r.Finished), true
		}
		success.WithLabelValues(lv(res)...).Set(ok)
		if known {
			if last == nil {
				last = gauge("last_success_timestamp_seconds", "When the command last succeeded (Unix time).")
			}
			last.WithLabelValues(lv(res)...).Set(t)
		}
	}
	when := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "last_run_timestamp_seconds", Help: "When the last run ended (Unix time).", ConstLabels: cl})
	took := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: "last_run_duration_seconds", Help: "How long the last run took.", ConstLabels: cl})
	when.Set(seconds(r.Finished))
	took.Set(r.Finished.Sub(r.Started).Seconds())
	reg.MustRegister(when, took)
	return reg
}

func seconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
