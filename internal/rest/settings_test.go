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
