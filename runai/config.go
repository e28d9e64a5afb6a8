package runai

import (
	"errors"
	"net/url"
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
	// Settings are the CA file, timeout, User-Agent, log and retries.
	rest.Settings
	// Now is the clock of token expiry (default time.Now).
	Now func() time.Time
}

// check validates the config and returns the parsed base URL.
func (cfg Config) check() (*url.URL, error) {
	u, err := rest.ParseBaseURL(cfg.BaseURL, rest.URLSetting{Name: "Run:ai URL", Setting: "RUNAI_BASE_URL or --url",
		Example: "https://acme.run.ai", Credentials: "use RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET, or RUNAI_TOKEN"})
	if err != nil {
		return nil, err
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
	return u, nil
}
