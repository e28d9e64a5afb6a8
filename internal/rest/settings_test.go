package rest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSettingsNewClient(t *testing.T) {
	t.Parallel()
	c, err := Settings{}.NewClient("https://acme.run.ai", "--ca-file")
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://acme.run.ai" || c.UserAgent != DefaultUserAgent || c.HTTP.Timeout != DefaultTimeout {
		t.Errorf("defaults: base %q, User-Agent %q, timeout %s", c.BaseURL, c.UserAgent, c.HTTP.Timeout)
	}
	logged := 0
	c, err = Settings{Timeout: time.Second, UserAgent: "runai-sync/1.2.3", Logf: func(string, ...any) { logged++ }}.NewClient("http://127.0.0.1:1", "--ca-file")
	if err != nil {
		t.Fatal(err)
	}
	if c.Logf("x"); c.UserAgent != "runai-sync/1.2.3" || c.HTTP.Timeout != time.Second || logged != 1 {
		t.Errorf("set: User-Agent %q, timeout %s, log lines %d", c.UserAgent, c.HTTP.Timeout, logged)
	}
	if _, err := (Settings{Timeout: -time.Second}).NewClient("https://acme.run.ai", "--ca-file"); err == nil || err.Error() != "timeout -1s is negative" {
		t.Errorf("negative timeout: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "ca.pem")
	if _, err := (Settings{CAFile: missing}).NewClient("https://acme.run.ai", "Seqera CA file"); err == nil || !strings.HasPrefix(err.Error(), "Seqera CA file "+missing+": cannot read it") {
		t.Errorf("missing CA file: %v", err)
	}
}

func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		url      string
		insecure bool
		ok       bool
	}{
		{"https://acme.run.ai", false, true},
		{"http://127.0.0.1:8080", false, true},
		{"http://127.9.9.9", false, true},
		{"http://[::1]:8080/api", false, true},
		{"http://localhost:8080", false, true},
		{"http://acme.run.ai", false, false},
		{"http://10.0.0.8:8080/api", false, false},
		{"http://localhost.acme.example", false, false},
		{"http://acme.run.ai", true, true},
	} {
		_, err := Settings{InsecureHTTP: tc.insecure}.NewClient(tc.url, "--ca-file")
		if (err == nil) != tc.ok {
			t.Errorf("%s (insecure %v): err = %v, want ok %v", tc.url, tc.insecure, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--insecure-http") {
			t.Errorf("%s: the error does not say how to allow it: %v", tc.url, err)
		}
	}
}

// With --allow-host, a client is made only for a host a pattern matches:
// by name or glob, without regard to case, and by host and port when the
// pattern has one.
func TestAllowedHosts(t *testing.T) {
	for _, tc := range []struct {
		allowed []string
		url     string
		ok      bool
	}{
		{nil, "https://anything.example", true},
		{[]string{"acme.run.ai"}, "https://acme.run.ai", true},
		{[]string{"acme.run.ai"}, "https://ACME.Run.AI/api", true},
		{[]string{"acme.run.ai"}, "https://evil.example", false},
		{[]string{"acme.run.ai"}, "https://acme.run.ai.evil.example", false},
		{[]string{"*.run.ai"}, "https://beta.run.ai", true},
		{[]string{"*.run.ai"}, "https://run.ai.evil.example", false},
		{[]string{"*.run.ai", "api.tower.nf"}, "https://api.tower.nf/api", true},
		{[]string{"127.0.0.1:8080"}, "http://127.0.0.1:8080", true},
		{[]string{"127.0.0.1:8080"}, "http://127.0.0.1:9090", false},
		{[]string{"127.0.0.1"}, "http://127.0.0.1:9090", true},
		{[]string{"[::1]"}, "http://[::1]:9090", true},
		{[]string{"::1"}, "http://[::1]:9090", true},
		{[]string{"[::1]:9090"}, "http://[::1]:9090", true},
		{[]string{"[::1]:8080"}, "http://[::1]:9090", false},
		{[]string{"acme.run.ai:443"}, "https://acme.run.ai/api", true},
		{[]string{"acme.run.ai:8443"}, "https://acme.run.ai/api", false},
		{[]string{"acme.run.ai"}, "not a url", false},
	} {
		s := Settings{AllowedHosts: tc.allowed}
		err := s.CheckHost(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("%v, %s: %v, want ok %v", tc.allowed, tc.url, err, tc.ok)
		}
		if _, nerr := s.NewClient(tc.url, "--ca-file"); tc.url != "not a url" && (nerr == nil) != tc.ok {
			t.Errorf("NewClient %v, %s: %v, want ok %v", tc.allowed, tc.url, nerr, tc.ok)
		}
	}
	err := Settings{AllowedHosts: []string{"acme.run.ai"}}.CheckHost("https://user:hunter2@evil.example/x?token=abc")
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "abc") || !strings.Contains(err.Error(), "https://evil.example/x") {
		t.Errorf("the refusal: %v", err)
	}
}
