package seqera

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestSecretsNeverLeak runs creates, conflicts, updates, refusals, faults
// and a rejected token, and scans every log line, error and printed object
// and request body for the secret values sent and the token.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	e := setup(t, emulator.Options{FailRate: 0.2, LostRate: 0.2, Seed: 3})
	vars := map[string]string{"AWS": "leak-check-aws", "GH": "leak-check-gh", "SSH": "leak-check-ssh", "AZ": "leak-check-azure"}
	src := seqeraDoc("s1", "", `{provider: aws, keys: {accessKey: AK, secretKey: {fromEnv: AWS}}}`) +
		seqeraDoc("s2", "workspaceId: 1001", `{provider: github, keys: {username: u, password: {fromEnv: GH}}}`) +
		seqeraDoc("s3", "workspaceId: 1002", `{provider: ssh, keys: {privateKey: {fromEnv: SSH}, passphrase: leak-check-literal}}`) +
		seqeraDoc("s4", "workspaceId: 4242", `{provider: azure, keys: {batchName: b, storageName: s, batchKey: {fromEnv: AZ}, storageKey: leak-check-literal-2}}`) +
		seqeraDoc("s5", "", `{provider: gitlab, keys: {username: u, token: {fromEnv: GH}, password: {fromServiceAccount: {name: ci, field: clientSecret}}}}`)
	objs := e.desired(src, vars)
	var texts []string
	note := func(err error) {
		if err != nil {
			texts = append(texts, err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err))
		}
	}
	for _, d := range objs {
		for range 2 { // the second create conflicts; s4's workspace is refused; s5 lacks its output
			_, err := e.create(d, nil)
			note(err)
		}
		texts = append(texts, fmt.Sprintf("%v %+v %#v", d, d, d), fmt.Sprintf("%v %+v %#v", d.Secrets, d.Secrets, d.Secrets))
		body, err := requestBody(d, "id", testkit.Outputs{{Kind: manifest.KindServiceAccount, Name: "ci"}: {"clientSecret": manifest.NewSecret("leak-check-output")}}, true)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, fmt.Sprintf("%v %+v %#v %s", body, body, *body, body.Credentials.Keys))
	}
	if len(texts) < 3*len(objs) {
		t.Errorf("expected conflicts and refusals, got %d texts", len(texts))
	}
	live := e.snapshot()
	for _, l := range live {
		texts = append(texts, fmt.Sprintf("%v %+v %#v", l, l, l))
		d := objs[0]
		if l.Key == d.Key {
			_, err := e.step(diff.PhaseCreate, &diff.Change{Action: diff.Update, Key: l.Key, Desired: d, Live: l}, nil)
			note(err)
		}
		note(e.em.Server.MarkSeqeraInUse(l.ID, emulator.SeqeraJob{ID: "j1", Name: "nf-run"}))
		note(e.remove(l))
	}
	bad := e.cfg
	bad.Token = manifest.NewSecret("leak-check-wrong-token")
	_, p := e.connect(bad, Options{})
	_, err := p.Snapshot(t.Context())
	note(err)
	c, _ := New(e.cfg)
	texts = append(texts, fmt.Sprintf("%v %+v %#v", c, c, *c), fmt.Sprintf("%v %+v %#v", e.cfg, e.cfg, e.cfg))
	texts = append(texts, e.log.Lines()...)
	testkit.NoSecretIn(t, texts, "leak-check", e.em.SeqeraToken)
	if !strings.Contains(strings.Join(e.log.Lines(), "\n"), "POST /credentials") {
		t.Errorf("the log does not show the creates")
	}
}
