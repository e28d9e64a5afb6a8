package seqera

import (
	"testing"

	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestPlainKeyFromEnvStaysScrubbed: a non-secret key (a username) read
// with fromEnv is compared as text but never printed, since a manifest from
// a pull request could name any variable of the job (a CI token) there; a
// literal username, already in the manifest, is still shown.
func TestPlainKeyFromEnvStaysScrubbed(t *testing.T) {
	e := setup(t, emulator.Options{})
	vars := map[string]string{"CI_JOB_TOKEN_X": "exfil-ci-token-3f9a2", "GH": "gh-password-value"}
	objs := e.desired(seqeraDoc("gh", "workspaceId: 1001", `{provider: github, keys: {username: {fromEnv: CI_JOB_TOKEN_X}, password: {fromEnv: GH}}}`)+
		seqeraDoc("gl", "workspaceId: 1001", `{provider: github, keys: {username: octo-literal-user, password: {fromEnv: GH}}}`), vars)
	if len(objs) != 2 {
		t.Fatalf("got %d objects", len(objs))
	}
	if got := manifest.Redact("user exfil-ci-token-3f9a2"); got != "user "+manifest.Redacted {
		t.Errorf("a username from the environment is printed: %q", got)
	}
	if got := manifest.Redact("user octo-literal-user"); got != "user octo-literal-user" {
		t.Errorf("a literal username is scrubbed: %q", got)
	}
}
