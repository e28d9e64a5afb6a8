package metrics

import (
	"context"
	"fmt"
	"net/http"
	neturl "net/url"

	"github.com/prometheus/client_golang/prometheus/push"
)

// Job is the Pushgateway job the metrics are pushed under.
const Job = "runai_sync"

// Push sends the run's metrics to the Pushgateway at url, grouped by job
// and command, and by tenant when the run has several (each tenant its own
// group, without a tenant label in the series: the grouping adds it). It
// POSTs, which replaces only the metrics sent, so the last success time of
// a failed run stays what it was.
func Push(ctx context.Context, url string, r Run, client *http.Client) error {
	if client == nil {
		client = http.DefaultClient
	}
	shown := url // a password in the URL is not shown
	if u, err := neturl.Parse(url); err == nil {
		shown = u.Redacted()
	}
	pushOne := func(p *push.Pusher) error {
		if err := p.Client(client).AddContext(ctx); err != nil {
			return fmt.Errorf("pushing metrics to %s: %w", shown, err)
		}
		return nil
	}
	if len(r.Results) <= 1 {
		return pushOne(push.New(url, Job).Grouping("command", r.Command).Gatherer(r.registry(r.Results, labelling{}, nil)))
	}
	for _, res := range r.Results {
		reg := r.registry([]Result{res}, labelling{}, nil)
		if err := pushOne(push.New(url, Job).Grouping("command", r.Command).Grouping("tenant", res.Tenant).Gatherer(reg)); err != nil {
			return err
		}
	}
	return nil
}
