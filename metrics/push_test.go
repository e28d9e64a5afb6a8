package metrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/push"
	dto "github.com/prometheus/client_model/go"
)

// pushgateway returns the test Pushgateway's URL (RUNAI_SYNC_TEST_PUSHGATEWAY,
// which .ci/run starts): the test skips locally without one and fails in
// CI (CI set), so CI never skips it silently.
func pushgateway(t *testing.T) string {
	t.Helper()
	url := os.Getenv("RUNAI_SYNC_TEST_PUSHGATEWAY")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("RUNAI_SYNC_TEST_PUSHGATEWAY is not set in CI: .ci/run starts a Pushgateway")
		}
		t.Skip("RUNAI_SYNC_TEST_PUSHGATEWAY not set (.ci/run starts a Pushgateway)")
	}
	return url
}

// scrape reads the Pushgateway's /metrics.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s/metrics: %d %v", url, resp.StatusCode, err)
	}
	mfs, err := Parse(data)
	if err != nil {
		t.Fatalf("the Pushgateway's /metrics does not parse: %v", err)
	}
	return mfs
}

// TestPushToPushgateway pushes to a real Pushgateway and reads the values
// back from its /metrics; a failed run keeps the last success time.
func TestPushToPushgateway(t *testing.T) {
	url := pushgateway(t)
	ctx := context.Background()
	// A command name of this test's own, so that runs never meet.
	cmd := fmt.Sprintf("test-%d", time.Now().UnixNano())
	t.Cleanup(func() {
		_ = push.New(url, Job).Grouping("command", cmd).Delete()
		for _, tenant := range []string{"acme-prod", "acme-dev"} {
			_ = push.New(url, Job).Grouping("command", cmd).Grouping("tenant", tenant).Delete()
		}
	})
	r := Run{Command: cmd, Started: t0.Add(-2 * time.Second), Finished: t0, Results: []Result{{
		Objects: map[string]int{"Credential": 5}, Changes: map[string]int{"replace": 1}, Drifted: IntP(1), Unhealthy: IntP(2)}}}
	if err := Push(ctx, url, r, nil); err != nil {
		t.Fatal(err)
	}
	labels := func(more ...string) map[string]string {
		m := map[string]string{"job": Job, "command": cmd}
		for i := 0; i+1 < len(more); i += 2 {
			m[more[i]] = more[i+1]
		}
		return m
	}
	check(t, scrape(t, url),
		point{"runai_sync_objects", labels("kind", "Credential"), 5},
		point{"runai_sync_changes", labels("action", "replace"), 1},
		point{"runai_sync_changes", labels("action", "create"), 0},
		point{"runai_sync_drifted_objects", labels(), 1},
		point{"runai_sync_unhealthy_objects", labels(), 2},
		point{"runai_sync_success", labels(), 1},
		point{"runai_sync_last_success_timestamp_seconds", labels(), float64(t0.Unix())},
		point{"runai_sync_last_run_duration_seconds", labels(), 2},
	)

	r = Run{Command: cmd, Started: t1, Finished: t1, Results: []Result{{Failed: true}}}
	if err := Push(ctx, url, r, nil); err != nil {
		t.Fatal(err)
	}
	check(t, scrape(t, url),
		point{"runai_sync_success", labels(), 0},
		point{"runai_sync_last_success_timestamp_seconds", labels(), float64(t0.Unix())},
		point{"runai_sync_last_run_timestamp_seconds", labels(), float64(t1.Unix())},
	)

	// Several tenants: a group each, labelled by the grouping.
	r = Run{Command: cmd, Started: t1, Finished: t1, Results: []Result{
		{Tenant: "acme-prod", Findings: map[string]int{"critical": 3}},
		{Tenant: "acme-dev", Findings: map[string]int{"info": 1}},
	}}
	if err := Push(ctx, url, r, nil); err != nil {
		t.Fatal(err)
	}
	check(t, scrape(t, url),
		point{"runai_sync_audit_findings", labels("tenant", "acme-prod", "severity", "critical"), 3},
		point{"runai_sync_audit_findings", labels("tenant", "acme-dev", "severity", "info"), 1},
		point{"runai_sync_audit_findings", labels("tenant", "acme-dev", "severity", "critical"), 0},
	)
}

func TestPushErrorNamesTheGateway(t *testing.T) {
	err := Push(context.Background(), "http://127.0.0.1:1", Run{Command: "plan", Results: []Result{{}}}, &http.Client{Timeout: time.Second})
	if err == nil || !contains(err.Error(), "pushing metrics to http://127.0.0.1:1") {
		t.Errorf("err = %v", err)
	}
}

// TestPushErrorHidesThePassword: a Pushgateway URL with basic-auth
// credentials is named without its password.
func TestPushErrorHidesThePassword(t *testing.T) {
	err := Push(context.Background(), "http://ops:gw-pass-7781@127.0.0.1:1", Run{Command: "plan", Results: []Result{{}}}, &http.Client{Timeout: time.Second})
	if err == nil || contains(err.Error(), "gw-pass-7781") || !contains(err.Error(), "pushing metrics to http://ops:xxxxx@127.0.0.1:1") {
		t.Errorf("err = %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
