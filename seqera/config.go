package seqera

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// Config is how to reach Seqera Platform. The CLI fills it from flags and
// the environment.
type Config struct {
	// Endpoint is the API's base URL (TOWER_API_ENDPOINT), such as
	// https://api.tower.nf/api: credentials live at Endpoint/credentials.
	Endpoint string
	// Token is the personal access token (TOWER_ACCESS_TOKEN).
	Token manifest.Secret
	// CAFile names PEM certificates trusted in addition to the system
	// pool. TLS verification is always on.
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
}

// Defaults of Config.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultUserAgent = "runai-sync"
)

// endpointExample is the form of TOWER_API_ENDPOINT that messages show.
const endpointExample = "https://api.tower.nf/api"

// check validates the config and returns the parsed endpoint.
func (cfg Config) check() (*url.URL, error) {
	raw := strings.TrimSpace(cfg.Endpoint)
	if raw == "" {
		return nil, errors.New("no Seqera endpoint: set TOWER_API_ENDPOINT (for example " + endpointExample + ")")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("TOWER_API_ENDPOINT %q is not a URL: set it to the API's URL (for example %s)", raw, endpointExample)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fmt.Errorf("TOWER_API_ENDPOINT %q must start with https:// (or http:// for a local emulator), for example %s", raw, endpointExample)
	case u.User != nil:
		return nil, errors.New("TOWER_API_ENDPOINT must not hold credentials: put the token in TOWER_ACCESS_TOKEN")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("TOWER_API_ENDPOINT %q must not have a query or fragment: give the API's URL, such as https://%s/api", raw, u.Host)
	}
	tok := cfg.Token.Reveal()
	switch {
	case cfg.Token.IsZero() || tok == "":
		return nil, errors.New("no Seqera access token: set TOWER_ACCESS_TOKEN (create one in Seqera Platform under Your tokens)")
	case strings.ContainsAny(tok, " \t\r\n"):
		return nil, errors.New("TOWER_ACCESS_TOKEN holds white space or a line break: set it to the token alone")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("timeout %s is negative", cfg.Timeout)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// httpClient builds the HTTP client (see rest.NewHTTPClient).
func (cfg Config) httpClient() (*http.Client, error) {
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return rest.NewHTTPClient(cfg.CAFile, "Seqera CA file", timeout)
}
