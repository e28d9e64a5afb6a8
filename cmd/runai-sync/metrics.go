package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/runai-sync/runai-sync/audit"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/metrics"
)

// MetricsFlags make plan, apply, drift and audit report to Prometheus.
type MetricsFlags struct {
	MetricsFile string `name:"metrics-file" placeholder:"PATH" help:"Write Prometheus metrics (text exposition) to PATH, atomically, e.g. for node_exporter's textfile collector (a .prom file in its directory)."`
	Pushgateway string `name:"pushgateway" placeholder:"URL" help:"Push the same metrics to the Prometheus Pushgateway at URL (job runai_sync, grouped by command)."`
}

// metricsSource is the outcome of a command over one tenant.
type metricsSource interface {
	metricsResult(command string, failed bool) metrics.Result
}

// observed collects, per tenant, what a run found and how it ended; the
// tenants of a tenants file run in parallel, each with an Env of its own
// that shares its parent's observed.
type observed struct {
	mu      sync.Mutex
	tenants []string // in the order first seen
	sources map[string]metricsSource
	errs    map[string]error
}

// observedMu guards the lazy creation of Env.observed.
var observedMu sync.Mutex

// observations returns env's record, made on first use.
func (e *Env) observations() *observed {
	observedMu.Lock()
	defer observedMu.Unlock()
	if e.observed == nil {
		e.observed = &observed{sources: map[string]metricsSource{}, errs: map[string]error{}}
	}
	return e.observed
}

// seen adds a tenant; the caller holds o.mu.
func (o *observed) seen(tenant string) {
	if _, known := o.sources[tenant]; !known {
		o.tenants = append(o.tenants, tenant)
		o.sources[tenant] = nil
	}
}

// observe records what a command found for a tenant ("" without a
// tenants file).
func (e *Env) observe(tenant string, src metricsSource) {
	o := e.observations()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen(tenant)
	o.sources[tenant] = src
}

// finished records how a command ended for a tenant.
func (e *Env) finished(tenant string, err error) {
	o := e.observations()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen(tenant)
	o.errs[tenant] = err
}

// results are the metrics results of every tenant seen; runErr is the
// command's error, for a tenant whose own end was not recorded.
func (o *observed) results(command string, runErr error) []metrics.Result {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []metrics.Result
	for _, t := range o.tenants {
		err, ended := o.errs[t]
		if !ended {
			err = runErr
		}
		var r metrics.Result
		if src := o.sources[t]; src != nil {
			r = src.metricsResult(command, failure(err))
		} else {
			r.Failed = true // it ended before it found anything
		}
		r.Tenant = t
		out = append(out, r)
	}
	return out
}

// failure reports whether err is a failure: drift (exit 2) and findings
// are results.
func failure(err error) bool {
	var ee *ExitError
	return err != nil && !(errors.As(err, &ee) && ee.Code == 2)
}

// observe is what a command defers first, with its named error result:
//
//	defer c.observe(ctx, env, "plan", time.Now(), &err)
//
// With --metrics-file or --pushgateway it reports what the command
// observed, per tenant; a command that failed before any tenant is one
// failed result. A metrics problem fails a command that had succeeded,
// and is printed otherwise.
func (m MetricsFlags) observe(ctx context.Context, env *Env, command string, started time.Time, err *error) {
	if m.MetricsFile == "" && m.Pushgateway == "" {
		return
	}
	results := env.observations().results(command, *err)
	if len(results) == 0 {
		results = []metrics.Result{{Failed: true}}
	}
	run := metrics.Run{Command: command, Started: started, Finished: time.Now(), Results: results}
	var errs []error
	if m.MetricsFile != "" {
		errs = append(errs, metrics.WriteFile(m.MetricsFile, run))
	}
	if m.Pushgateway != "" {
		// A push after Ctrl-C still goes out, within its own bound.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		errs = append(errs, metrics.Push(pctx, m.Pushgateway, run, &http.Client{Timeout: 30 * time.Second}))
	}
	if e := errors.Join(errs...); e != nil {
		if *err == nil {
			*err = e
			return
		}
		fmt.Fprintln(env.Stderr, "Error:", e)
	}
}

// metricsResult is what a plan, apply or drift session found.
func (s *session) metricsResult(command string, failed bool) metrics.Result {
	r := metrics.Result{Failed: failed, Objects: map[string]int{}, Changes: map[string]int{}, Unhealthy: metrics.IntP(len(s.plan.Health()))}
	for _, c := range s.plan.Changes {
		r.Objects[string(c.Key.Kind)]++
		if c.Action != diff.NoOp {
			r.Changes[c.Action.String()]++
		}
	}
	if command == "drift" {
		r.Drifted = metrics.IntP(len(s.plan.Actionable()))
	}
	return r
}

// unhealthy counts the live objects their provider reports as unhealthy.
func unhealthy(live []*diff.Object) int {
	n := 0
	for _, o := range live {
		if o.Unhealthy {
			n++
		}
	}
	return n
}

// auditOutcome is what an audit found, for the metrics.
type auditOutcome struct {
	live     []*diff.Object
	findings []audit.Finding
}

func (a auditOutcome) metricsResult(_ string, failed bool) metrics.Result {
	r := metrics.Result{Failed: failed, Objects: map[string]int{}, Findings: map[string]int{}, Unhealthy: metrics.IntP(unhealthy(a.live))}
	for _, o := range a.live {
		r.Objects[string(o.Key.Kind)]++
	}
	for _, f := range a.findings {
		r.Findings[f.Severity.String()]++
	}
	return r
}
