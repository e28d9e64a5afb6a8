package runai

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Config is how to reach and log in to a Run:ai control plane. The CLI
// fills it from flags and the environment.
type Config struct {
	// BaseURL is the control plane, e.g. https://acme.run.ai
	// (--url / RUNAI_BASE_URL).
	BaseURL string
	// ClientID and ClientSecret log in with client credentials
	// (RUNAI_CLIENT_ID / RUNAI_CLIENT_SECRET).
	ClientID     string
	ClientSecret manifest.Secret
	// Token is a static bearer token used as is (RUNAI_TOKEN).
	Token manifest.Secret
	// CAFile names PEM certificates trusted in addition to the system
	// pool (--ca-file). TLS verification is always on.
	CAFile string
	// Timeout bounds each HTTP attempt (default 30 s).
	Timeout time.Duration
	// UserAgent is sent with every request (default "runai-sync").
	UserAgent string
	// Logf, when set, receives one line per HTTP attempt (never a header,
	// body or secret).
	Logf func(format string, args ...any)
	// Retry bounds the retries of each request (zero: rest's defaults).
	Retry rest.RetryPolicy
	// Now is the clock of token expiry (default time.Now).
	Now func() time.Time
}

// Defaults of Config.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultUserAgent = "runai-sync"
)

// check validates the config and returns the parsed base URL.
func (cfg Config) check() (*url.URL, error) {
	raw := strings.TrimSpace(cfg.BaseURL)
	if raw == "" {
		return nil, errors.New("no Run:ai URL: set RUNAI_BASE_URL or --url (for example https://acme.run.ai)")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("Run:ai URL %q is not a URL: set RUNAI_BASE_URL or --url to https://HOST", raw)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fmt.Errorf("Run:ai URL %q must start with https:// (or http:// for a local emulator): set RUNAI_BASE_URL or --url to https://HOST", raw)
	case u.User != nil:
		return nil, fmt.Errorf("Run:ai URL must not hold credentials: use RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET, or RUNAI_TOKEN")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("Run:ai URL %q must not have a query or fragment: give the base URL, such as https://%s", raw, u.Host)
	}
	hasPair := cfg.ClientID != "" || !cfg.ClientSecret.IsZero()
	switch {
	case hasPair && !cfg.Token.IsZero():
		return nil, errors.New("both RUNAI_TOKEN and RUNAI_CLIENT_ID/RUNAI_CLIENT_SECRET are set: unset one of them")
	case cfg.ClientID != "" && cfg.ClientSecret.IsZero():
		return nil, errors.New("RUNAI_CLIENT_ID is set but RUNAI_CLIENT_SECRET is not: set both, or RUNAI_TOKEN")
	case cfg.ClientID == "" && !cfg.ClientSecret.IsZero():
		return nil, errors.New("RUNAI_CLIENT_SECRET is set but RUNAI_CLIENT_ID is not: set both, or RUNAI_TOKEN")
	case !hasPair && cfg.Token.IsZero():
		return nil, errors.New("no Run:ai credentials: set RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET, or RUNAI_TOKEN")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("timeout %s is negative", cfg.Timeout)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// httpClient builds the HTTP client: TLS verification on, the CA file
// added to the system pool, redirects not followed (a redirect means the
// base URL is wrong, and following it could send the token elsewhere).
func (cfg Config) httpClient() (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pool, err := caPool(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	tr.MaxIdleConnsPerHost = 16
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// caPool is the system pool plus the certificates of file.
func caPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("--ca-file %s: cannot read it: %v", file, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate found in it: give the CA certificate (-----BEGIN CERTIFICATE-----)", file)
	}
	return pool, nil
}
