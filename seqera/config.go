package seqera

import (
	"errors"
	"net/url"
	"strings"

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
	// Settings are the CA file, timeout, User-Agent, log and retries.
	rest.Settings
}

// endpointExample is the form of TOWER_API_ENDPOINT that messages show.
const endpointExample = "https://api.tower.nf/api"

// check validates the config and returns the parsed endpoint.
func (cfg Config) check() (*url.URL, error) {
	u, err := rest.ParseBaseURL(cfg.Endpoint, rest.URLSetting{Name: "Seqera endpoint", Setting: "TOWER_API_ENDPOINT",
		Example: endpointExample, Credentials: "put the token in TOWER_ACCESS_TOKEN"})
	if err != nil {
		return nil, err
	}
	tok := cfg.Token.Reveal()
	switch {
	case cfg.Token.IsZero() || tok == "":
		return nil, errors.New("no Seqera access token: set TOWER_ACCESS_TOKEN (create one in Seqera Platform under Your tokens)")
	case strings.ContainsAny(tok, " \t\r\n"):
		return nil, errors.New("TOWER_ACCESS_TOKEN holds white space or a line break: set it to the token alone")
	}
	return u, nil
}
