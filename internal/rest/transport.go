package rest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"
)

// NewHTTPClient builds the HTTP client of an API: TLS verification always
// on (TLS 1.2 or later), the certificates of caFile (if any) added to the
// system pool, redirects not followed (a redirect means the base URL is
// wrong, and following one could send the token elsewhere), and timeout per
// request. caName names the CA file in errors ("--ca-file").
func NewHTTPClient(caFile, caName string, timeout time.Duration) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 16
	if caFile != "" {
		pool, err := caPool(caFile, caName)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// caPool is the system pool plus the certificates of file.
func caPool(file, name string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s %s: cannot read it: %v", name, file, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s %s: no PEM certificate found in it: give the CA certificate (-----BEGIN CERTIFICATE-----)", name, file)
	}
	return pool, nil
}

// URLSetting says how messages name an API's base URL and where the user
// sets it.
type URLSetting struct {
	// Name is how messages call it: "Run:ai URL".
	Name string
	// Setting is where it is set: "RUNAI_BASE_URL or --url".
	Setting string
	// Example is a correct value: "https://acme.run.ai".
	Example string
	// Credentials says where credentials go instead of into the URL.
	Credentials string
}

// ParseBaseURL checks an API's base URL and returns it without a trailing
// slash. Its errors say which setting to fix and how.
func ParseBaseURL(raw string, s URLSetting) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("no %s: set %s (for example %s)", s.Name, s.Setting, s.Example)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("the %s %q is not a URL: set %s to one such as %s", s.Name, raw, s.Setting, s.Example)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fmt.Errorf("the %s %q must start with https:// (or http:// for a local emulator): set %s to one such as %s", s.Name, raw, s.Setting, s.Example)
	case u.User != nil:
		return nil, fmt.Errorf("the %s must not hold credentials: %s", s.Name, s.Credentials)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("the %s %q must not have a query or fragment: give %s%s", s.Name, raw, u.Scheme+"://"+u.Host, u.Path)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Defaults of Settings.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultUserAgent = "runai-sync"
)

// Settings are the connection settings each API's configuration holds.
type Settings struct {
	// CAFile names PEM certificates trusted in addition to the system
	// pool (--ca-file). TLS verification is always on.
	CAFile string
	// Timeout bounds each HTTP attempt (default DefaultTimeout).
	Timeout time.Duration
	// UserAgent is sent with every request (default DefaultUserAgent).
	UserAgent string
	// Logf, when set, receives one line per HTTP attempt (never a header,
	// body or secret).
	Logf func(format string, args ...any)
	// Retry bounds the retries of each request (zero: the defaults).
	Retry RetryPolicy
	// InsecureHTTP allows a plain http:// base URL on a host other than
	// loopback (--insecure-http): the token and client secret then cross
	// the network in clear.
	InsecureHTTP bool
	// AllowedHosts, when not empty, are the only hosts a client is made for
	// (--allow-host): names or path.Match patterns ("*.run.ai"), compared
	// without regard to case; a pattern with a port ("127.0.0.1:8080")
	// matches host and port.
	AllowedHosts []string
}

// CheckHost refuses the host of rawURL when AllowedHosts is set and no
// pattern matches it: the URLs come from files a pull request may change
// (the tenants file), the list from the pipeline's settings, so a changed
// URL cannot take the credentials elsewhere.
func (s Settings) CheckHost(rawURL string) error {
	if len(s.AllowedHosts) == 0 {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s names no host, and only the hosts allowed by --allow-host (RUNAI_SYNC_ALLOWED_HOSTS) are used", rawURL)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80", "postgres": "5432", "postgresql": "5432"}[u.Scheme]
	}
	for _, pattern := range s.AllowedHosts {
		pattern = strings.ToLower(strings.TrimSpace(pattern))
		wantHost, wantPort, err := net.SplitHostPort(pattern)
		if err != nil { // no port: the host alone (an IPv6 address with or without brackets)
			wantHost, wantPort = strings.TrimSuffix(strings.TrimPrefix(pattern, "["), "]"), ""
		}
		if ok, _ := path.Match(wantHost, host); ok && (wantPort == "" || wantPort == port) {
			return nil
		}
	}
	return fmt.Errorf("the host of %s is not one --allow-host (RUNAI_SYNC_ALLOWED_HOSTS) allows (%s); nothing was sent to it: if it is yours, add it there", redactURL(u), strings.Join(s.AllowedHosts, ", "))
}

// redactURL is the URL without user information (a password in a
// postgres:// URL) and query.
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment = nil, "", ""
	return c.String()
}

// checkScheme refuses a plain http:// URL unless its host is loopback (an
// emulator, a local proxy) or InsecureHTTP allows it.
func (s Settings) checkScheme(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme != "http" || s.InsecureHTTP || IsLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s is plain http:// on a host that is not loopback: the credentials would cross the network in clear; use https://, or pass --insecure-http to allow it", baseURL)
}

// IsLoopback reports whether host (a name or an address) is this machine:
// localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewClient checks s and builds a client of the API at baseURL, without
// authentication; caName names the CA file in errors.
func (s Settings) NewClient(baseURL, caName string) (Client, error) {
	if s.Timeout < 0 {
		return Client{}, fmt.Errorf("timeout %s is negative", s.Timeout)
	}
	if err := s.checkScheme(baseURL); err != nil {
		return Client{}, err
	}
	if err := s.CheckHost(baseURL); err != nil {
		return Client{}, err
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	hc, err := NewHTTPClient(s.CAFile, caName, timeout)
	if err != nil {
		return Client{}, err
	}
	ua := s.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	return Client{BaseURL: baseURL, HTTP: hc, UserAgent: ua, Retry: s.Retry, Logf: s.Logf}, nil
}
