package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// faultyStart starts an emulator with faults and logs in, retrying 503s.
func faultyStart(t *testing.T, opts Options) (*Instance, *client) {
	t.Helper()
	in := Start(t, opts)
	c := &client{t: t, base: in.URL, hc: (&client{}).hcDefault()}
	for i := 0; i < 50; i++ {
		r := c.tryLogin(in.ClientID, in.ClientSecret)
		if r.status == 200 {
			c.token = r.json(t)["accessToken"].(string)
			return in, c
		}
	}
	t.Fatal("could not log in through the faults")
	return nil, nil
}

// run creates n credentials sequentially and returns "status[:id]" per
// request.
func run(c *client, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		r := c.do("POST", credsPath+"/access-key", accessKeyBody(fmt.Sprintf("f%d", i), nil))
		s := fmt.Sprint(r.status)
		if r.status == 202 {
			s += ":" + id(c.t, r)
		}
		out = append(out, s)
	}
	return out
}

func listNames(c *client) map[string]bool {
	for try := 0; ; try++ {
		r := c.do("GET", credsPath+"/access-key", nil)
		if r.status != 200 && try < 100 {
			continue
		}
		names := map[string]bool{}
		for _, e := range r.json(c.t)["entries"].([]any) {
			names[e.(map[string]any)["meta"].(map[string]any)["name"].(string)] = true
		}
		return names
	}
}

func TestFailRateAnswers503WithoutEffect(t *testing.T) {
	_, c := faultyStart(t, Options{FailRate: 0.3, Seed: 11})
	got := run(c, 100)
	names := listNames(c)
	failed := 0
	for i, s := range got {
		created := names[fmt.Sprintf("f%d", i)]
		switch {
		case s == "503":
			failed++
			if created {
				t.Errorf("request %d answered 503 but created the credential", i)
			}
		case strings.HasPrefix(s, "202"):
			if !created {
				t.Errorf("request %d answered 202 but nothing exists", i)
			}
		default:
			t.Errorf("request %d: unexpected %s", i, s)
		}
	}
	if failed < 10 || failed > 50 {
		t.Errorf("%d of 100 failed with FailRate 0.3", failed)
	}
}

func TestLostRateMakesTheChangeThenAnswers503(t *testing.T) {
	_, c := faultyStart(t, Options{LostRate: 0.4, Seed: 5})
	got := run(c, 60)
	names := listNames(c)
	lost := 0
	for i, s := range got {
		if !names[fmt.Sprintf("f%d", i)] {
			t.Errorf("request %d (%s): the change was not made", i, s)
		}
		if s == "503" {
			lost++
		}
	}
	if lost == 0 || lost == 60 {
		t.Errorf("%d of 60 replies lost with LostRate 0.4", lost)
	}
	r := c.do("POST", credsPath+"/access-key", accessKeyBody("f0", nil))
	if r.status != 409 && r.status != 503 {
		t.Errorf("re-create of a lost create: %d", r.status)
	}
}

func TestFaultsRepeatForTheSameSeed(t *testing.T) {
	pattern := func(seed int64) []string {
		_, c := faultyStart(t, Options{FailRate: 0.2, LostRate: 0.2, Seed: seed})
		return run(c, 40)
	}
	a, b, other := pattern(42), pattern(42), pattern(43)
	if strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("same seed, different runs:\n%v\n%v", a, b)
	}
	if strings.Join(a, " ") == strings.Join(other, " ") {
		t.Errorf("seeds 42 and 43 gave the same pattern %v", a)
	}
	seeded := func() string {
		in, _ := faultyStart(t, Options{Seed: 9})
		return in.ClientSecret + " " + in.SeqeraToken
	}
	if first, second := seeded(), seeded(); first != second {
		t.Error("seeded admin secret and Seqera token differ between runs")
	}
}

func TestRateLimit(t *testing.T) {
	clock := newClock()
	in := Start(t, Options{RateLimit: 3, Now: clock.Now})
	c := &client{t: t, base: in.URL, hc: (&client{}).hcDefault()}
	c.token = c.login(in.ClientID, in.ClientSecret) // 1
	c.must(200, "GET", "/api/v1/clusters", nil)     // 2
	c.must(200, "GET", "/api/v1/clusters", nil)     // 3
	r := c.must(429, "GET", "/api/v1/clusters", nil)
	if r.header.Get("Retry-After") != "1" || r.json(t)["code"] != 429.0 {
		t.Errorf("429 reply: headers %v body %s", r.header, r.body)
	}
	c.must(429, "GET", credsPath, nil)
	clock.Add(time.Second)
	c.must(200, "GET", credsPath, nil)
	c.with("").must(200, "GET", "/_emulator/stats", nil) // admin endpoints are not limited
}

func TestLatencyIsAdded(t *testing.T) {
	_, c := start(t, Options{Latency: 30 * time.Millisecond})
	began := time.Now()
	c.must(200, "GET", "/api/v1/clusters", nil)
	if d := time.Since(began); d < 30*time.Millisecond {
		t.Errorf("request took %s with 30ms latency", d)
	}
}

func TestCountsPerRouteTemplate(t *testing.T) {
	in, c := start(t, Options{})
	aid := id(t, c.must(202, "POST", credsPath+"/generic-secret", map[string]any{
		"meta": map[string]any{"name": "g", "scope": "tenant"}, "spec": map[string]any{"existingSecretName": "s"},
	}))
	c.must(204, "DELETE", credsPath+"/generic-secret/"+aid, nil)
	c.with(in.SeqeraToken).must(200, "GET", "/api/credentials", nil)
	c.must(404, "GET", "/nowhere", nil)
	c.with("").must(200, "GET", "/_emulator/stats", nil)
	want := map[string]int{
		"POST /api/v1/token": 1, "POST /api/v1/asset/credentials/generic-secret": 1,
		"DELETE /api/v1/asset/credentials/generic-secret/{AssetId}": 1, "GET /api/credentials": 1, "GET (no route)": 1,
	}
	got := in.Server.Counts()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Counts()[%q] = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	if in.Server.TotalRequests() != 5 {
		t.Errorf("TotalRequests = %d, want 5", in.Server.TotalRequests())
	}
	stats := c.with("").must(200, "GET", "/_emulator/stats", nil).json(t)
	if stats["total"] != 5.0 {
		t.Errorf("stats = %v", stats)
	}
	in.Server.ResetCounts()
	if in.Server.TotalRequests() != 0 {
		t.Error("ResetCounts did not reset")
	}
}

// TestParallelRequests runs creates, lists and deletes from 10 goroutines
// (the race detector watches the store and the validators).
func TestParallelRequests(t *testing.T) {
	in, c := start(t, Options{})
	errs := make(chan string, 100)
	done := make(chan struct{})
	for w := 0; w < 10; w++ {
		go func(w int) {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 10; i++ {
				r := c.do("POST", credsPath+"/access-key", accessKeyBody(fmt.Sprintf("p%d-%d", w, i), nil))
				if r.status != 202 {
					errs <- fmt.Sprintf("create: %d %s", r.status, r.body)
					continue
				}
				if r := c.do("GET", credsPath+"?statusInfo=true", nil); r.status != 200 {
					errs <- fmt.Sprintf("list: %d", r.status)
				}
				if i%2 == 0 {
					if r2 := c.do("DELETE", credsPath+"/access-key/"+id(t, r), nil); r2.status != 202 {
						errs <- fmt.Sprintf("delete: %d", r2.status)
					}
				}
			}
		}(w)
	}
	for w := 0; w < 10; w++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(listNames(c)); n != 50 {
		t.Errorf("%d credentials left, want 50", n)
	}
	if got := in.Server.Counts()["POST /api/v1/asset/credentials/access-key"]; got != 100 {
		t.Errorf("counted %d creates, want 100", got)
	}
}
