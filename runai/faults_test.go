package runai

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
)

func TestRetryAfterHonouredOn429(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{RateLimit: 2})
	for range 6 {
		e.mustSnapshot()
	}
	limited := testkit.StatusLines(e.log.Lines(), "429")
	if len(limited) == 0 {
		t.Fatalf("the rate limit was never met:\n%s", strings.Join(e.log.Lines(), "\n"))
	}
	for _, l := range limited {
		_, after, ok := strings.Cut(l, "retrying in ")
		d, err := time.ParseDuration(strings.TrimSuffix(after, ")"))
		if !ok || err != nil || d < time.Second {
			t.Errorf("after a 429 with Retry-After: 1 the client did not wait 1s: %q", l)
		}
	}
}

// TestRetriesUnderFaults: 503s without effect and lost replies. A create
// whose reply was lost meets 409 on its retry and is adopted, never
// duplicated: the ids Do returns are the live ones.
func TestRetriesUnderFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts emulator.Options
		want string // a status the log must show
	}{
		{"fail-rate", emulator.Options{FailRate: 0.5, Seed: 7}, "503"},
		{"lost replies", emulator.Options{LostRate: 0.5, Seed: 11}, "409"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tt.opts)
			var src strings.Builder
			for i := range 20 {
				src.WriteString(credentialDoc(fmt.Sprintf("c%02d", i), "scope: tenant", `{type: password, user: u, password: pw-secret-value}`))
			}
			objs := e.desired(src.String(), nil)
			_, live := testkit.CreateAndRead(t, e.p, objs)
			if len(testkit.StatusLines(e.log.Lines(), tt.want)) == 0 {
				t.Errorf("the log shows no %s: the fault was not exercised", tt.want)
			}
			// Deletes whose reply is lost meet 404 on their retry: success.
			testkit.DeleteAll(t, e.p, live)
			testkit.NoSecretIn(t, e.log.Lines(), "pw-secret-value", e.em.ClientSecret)
		})
	}
}

// TestHundredCreatesConverge: 100 creates through Do, 8 at a time, with
// 30% 503s, 10% lost replies and a rate limit of 50 requests per second,
// give exactly 100 credentials, each with the id Do returned.
func TestHundredCreatesConverge(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{FailRate: 0.3, LostRate: 0.1, RateLimit: 50, Seed: 42})
	cfg := e.cfg
	cfg.Retry.MaxAttempts = 20
	_, p := e.connect(cfg)
	e.p = p
	var src strings.Builder
	for i := range 100 {
		src.WriteString(credentialDoc(fmt.Sprintf("bulk-%03d", i), "scope: project, projectId: 12",
			fmt.Sprintf(`{type: genericSecret, keyValuePairs: {TOKEN: bulk-secret-%03d}}`, i)))
	}
	objs := e.desired(src.String(), nil)
	ids := make([]string, len(objs))
	work := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range work {
				res, err := e.create(context.Background(), objs[i], nil)
				if err != nil {
					t.Errorf("create %s: %v", objs[i].Key.Name, err)
				}
				ids[i] = res.ID
			}
		})
	}
	for i := range objs {
		work <- i
	}
	close(work)
	wg.Wait()

	live := e.snapshot()
	if len(live) != 100 {
		t.Errorf("%d credentials, want 100", len(live))
	}
	seen := map[string]bool{}
	for i, d := range objs {
		l := live[d.Key]
		if l == nil || l.ID != ids[i] || seen[ids[i]] {
			t.Errorf("%s: Do returned id %q, live %v", d.Key.Name, ids[i], l)
		}
		seen[ids[i]] = true
		if s, _ := e.em.Server.StoredSecrets(ids[i]); s["TOKEN"] != fmt.Sprintf("bulk-secret-%03d", i) {
			t.Errorf("%s: wrong secret stored", d.Key.Name)
		}
	}
	lines := e.log.Lines()
	for _, status := range []string{"503", "429", "409"} {
		if len(testkit.StatusLines(lines, status)) == 0 {
			t.Errorf("no %s met: the faults were not exercised", status)
		}
	}
	var secrets []string
	for i := range 100 {
		secrets = append(secrets, fmt.Sprintf("bulk-secret-%03d", i))
	}
	testkit.NoSecretIn(t, lines, secrets...)
}
