package runai

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestSecretsNeverLeak runs creates, conflicts, rejections, faults and a
// failed login, and scans every log line and error for the secret values
// sent, the client secret and any token.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{FailRate: 0.2, LostRate: 0.2, Seed: 3})
	vars := map[string]string{"AK": "leak-check-sak", "PW": "leak-check-password", "NGC": "leak-check-ngc", "KV": "leak-check-kv"}
	src := credentialDoc("s1", "scope: tenant", `{type: accessKey, accessKeyId: AK, secretAccessKey: {fromEnv: AK}}`) +
		credentialDoc("s2", "scope: project, projectId: 12", `{type: password, user: u, password: {fromEnv: PW}}`) +
		credentialDoc("s3", "scope: cluster, clusterId: "+emulator.DefaultClusterID, `{type: ngcApiKey, ngc_api_key: {fromEnv: NGC}}`) +
		credentialDoc("s4", `scope: department, departmentId: "1"`, `{type: genericSecret, keyValuePairs: {A: {fromEnv: KV}, B: leak-check-literal}}`) +
		credentialDoc("s5", "scope: project, projectId: 4242", `{type: dockerRegistry, user: u, password: {fromEnv: PW}, url: "https://r"}`)
	objs := e.desired(src, vars)
	var texts []string
	failed := 0
	for _, d := range objs {
		for range 2 { // the second create conflicts
			if _, err := e.create(context.Background(), d, nil); err != nil {
				failed++
				texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
			}
		}
		texts = append(texts, fmt.Sprintf("%v %+v %#v", d, d, d))
	}
	// Four second creates conflict, and both creates in the missing project
	// 4242 are rejected.
	if failed != len(objs)+1 {
		t.Errorf("%d creates failed, want %d: conflicts and rejections", failed, len(objs)+1)
	}
	bad := e.cfg
	bad.ClientSecret = manifest.NewSecret("leak-check-wrong-secret")
	_, p := e.connect(bad)
	if _, err := p.Snapshot(context.Background()); err != nil {
		texts = append(texts, err.Error())
	}
	e.em.Server.ExpireTokens()
	for _, l := range e.snapshot() {
		_, err := e.p.Do(context.Background(), diff.Step{Phase: diff.PhaseDelete, Change: &diff.Change{Action: diff.Delete, Key: l.Key, Live: l}}, nil)
		if err != nil {
			texts = append(texts, err.Error())
		}
	}
	body, err := createBody(objs[3], nil)
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, fmt.Sprintf("%v %+v %#v", body, body, *body))
	texts = append(texts, e.log.Lines()...)
	testkit.NoSecretIn(t, texts, "leak-check", e.em.ClientSecret, "eyJ")
	if !strings.Contains(strings.Join(e.log.Lines(), "\n"), "POST /api/v1/asset/credentials/") {
		t.Errorf("the log does not show the creates")
	}
}
