package main

import (
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/metrics"
)

// cmdMetric reads a metrics file with the Prometheus text parser and
// checks one gauge:
//
//	metric FILE NAME [LABEL=VALUE...] VALUE   the series exists with VALUE ("now": within two minutes of now)
//	! metric FILE NAME [LABEL=VALUE...]       no such series
func cmdMetric(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: metric FILE NAME [LABEL=VALUE...] VALUE")
	}
	mfs, err := metrics.Parse([]byte(ts.ReadFile(args[0])))
	ts.Check(err)
	rest, want := args[2:], ""
	if !neg {
		if len(rest) == 0 {
			ts.Fatalf("metric: give the value")
		}
		rest, want = rest[:len(rest)-1], rest[len(rest)-1]
	}
	labels := map[string]string{}
	for _, l := range rest {
		k, v, _ := strings.Cut(l, "=")
		labels[k] = v
	}
	var got *float64
	for _, m := range mfs[args[1]].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := len(have) == len(labels)
		for k, v := range labels {
			match = match && have[k] == v
		}
		if match {
			v := m.GetGauge().GetValue()
			got = &v
		}
	}
	switch {
	case neg && got != nil:
		ts.Fatalf("%s%v = %v, want no such series", args[1], labels, *got)
	case neg:
	case got == nil:
		ts.Fatalf("no series %s%v in %s", args[1], labels, args[0])
	case want == "now":
		if now := float64(time.Now().Unix()); math.Abs(*got-now) > 120 {
			ts.Fatalf("%s%v = %v, want about now (%v)", args[1], labels, *got, now)
		}
	default:
		w, err := strconv.ParseFloat(want, 64)
		ts.Check(err)
		if *got != w {
			ts.Fatalf("%s%v = %v, want %v", args[1], labels, *got, w)
		}
	}
}

// TestPushgatewayFlag runs drift with --pushgateway against the test
// Pushgateway and reads the values back from its /metrics.
func TestPushgatewayFlag(t *testing.T) {
	url := os.Getenv("RUNAI_SYNC_TEST_PUSHGATEWAY")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("RUNAI_SYNC_TEST_PUSHGATEWAY is not set in CI: .ci/run starts a Pushgateway")
		}
		t.Skip("RUNAI_SYNC_TEST_PUSHGATEWAY not set (.ci/run starts a Pushgateway)")
	}
	emu := emulator.Start(t, emulator.Options{})
	dir := t.TempDir()
	writeCredentials(t, dir, 3)
	vars := map[string]string{"RUNAI_BASE_URL": emu.URL, "RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret,
		"SECRET_VALUE": "s3cr3t-value", "RUNAI_SYNC_STATE": "none"}
	env, _, stderr := cliEnv(vars)
	// The command label is drift; the grouping is shared by every drift run
	// that pushes here, so the test reads it right after its own push.
	if code := run(t.Context(), []string{"drift", "--url", emu.URL, "--state", "none", "-f", dir, "--pushgateway", url}, env); code != 2 {
		t.Fatalf("drift exit %d, want 2 (3 to create):\n%s", code, stderr)
	}
	mfs := scrapeGateway(t, url)
	for name, want := range map[string]float64{"runai_sync_drifted_objects": 3, "runai_sync_success": 1} {
		if got, ok := gatewayValue(mfs, name, map[string]string{"job": metrics.Job, "command": "drift"}); !ok || got != want {
			t.Errorf("%s = %v (found %v), want %v", name, got, ok, want)
		}
	}
	if got, ok := gatewayValue(mfs, "runai_sync_changes", map[string]string{"job": metrics.Job, "command": "drift", "action": "create"}); !ok || got != 3 {
		t.Errorf("changes{action=create} = %v (found %v), want 3", got, ok)
	}
}

// scrapeGateway reads a Pushgateway's /metrics with the text parser.
func scrapeGateway(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	mfs, err := metrics.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

// gatewayValue finds the gauge of name whose labels include want.
func gatewayValue(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
next:
	for _, m := range mfs[name].GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}
