package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/state"
)

const tamperOwnership = `apiVersion: runai-sync/v1
kind: Ownership
metadata: {name: team}
spec:
  credentials: [{scope: project, projectId: 12}]
`

const tamperKept = `---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: kept, scope: project, projectId: 12, description: %s}
spec: {type: password, user: app, password: {fromEnv: SECRET_VALUE}}
`

const tamperVictim = `---
apiVersion: runai-sync/v1
kind: Credential
metadata: {name: victim, scope: project, projectId: 12}
spec: {type: password, user: app, password: {fromEnv: SECRET_VALUE}}
`

// mutating counts the requests that change something.
func mutating(emu *emulator.Instance) int {
	n := 0
	for route, c := range emu.Server.Counts() {
		if !strings.HasPrefix(route, "GET ") && !strings.HasPrefix(route, "POST /api/v1/token") {
			n += c
		}
	}
	return n
}

// TestSavedPlanTamperingRefused edits a reviewed plan the ways an attacker
// would (prune and a delete added, an id changed, the secret digests
// removed, --force or --allow-protected switched on) and checks that apply
// refuses each, sending no mutating request, whether the plan is keyed by
// the state, by RUNAI_SYNC_STATE_KEY, or (unauthenticated: no key at all)
// by a salt of its own, which an attacker can use to make a matching MAC.
func TestSavedPlanTamperingRefused(t *testing.T) {
	for _, mode := range []string{"state", "env-key", "unauthenticated"} {
		t.Run(mode, func(t *testing.T) {
			emu := emulator.Start(t, emulator.Options{})
			dir := t.TempDir()
			m := filepath.Join(dir, "m.yaml")
			write := func(s string) {
				if err := os.WriteFile(m, []byte(s), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			vars := map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret, "SECRET_VALUE": "tamper-secret-value"}
			stateArg := filepath.Join(dir, "state.json")
			switch mode {
			case "env-key":
				vars["RUNAI_SYNC_STATE_KEY"] = "tamper-state-key-0123456789"
				stateArg = "none"
			case "unauthenticated":
				stateArg = "none"
			}
			cli := func(args ...string) (int, string) {
				env, stdout, stderr := cliEnv(vars)
				code := run(context.Background(), append([]string{"--url", emu.URL, "--state", stateArg}, args...), env)
				return code, stdout.String() + stderr.String()
			}
			write(tamperOwnership + strings.ReplaceAll(tamperKept, "%s", "one") + tamperVictim)
			if code, out := cli("apply", "-f", m, "--yes"); code != 0 {
				t.Fatalf("apply: %d\n%s", code, out)
			}
			// victim leaves the manifests; kept gets a new description.
			write(tamperOwnership + strings.ReplaceAll(tamperKept, "%s", "two"))
			plan := filepath.Join(dir, "reviewed.json")
			if code, out := cli("plan", "-f", m, "--out", plan); code != 0 {
				t.Fatalf("plan: %d\n%s", code, out)
			}
			b, err := os.ReadFile(plan)
			if err != nil {
				t.Fatal(err)
			}
			var victim emulator.AssetInfo
			for _, a := range emu.Server.Assets() {
				if a.Name == "victim" {
					victim = a
				}
			}
			tamperings := map[string]func(*diff.Saved){
				"prune and a delete added": func(s *diff.Saved) {
					s.Options.Prune = true
					k := s.Changes[0].Key
					k.Name = "victim"
					s.Changes = append(s.Changes, diff.SavedChange{Action: diff.Delete, Key: k, ID: victim.ID, Live: s.Changes[0].Live})
					s.Summary.Delete++
				},
				"an id edited":          func(s *diff.Saved) { s.Changes[0].ID = victim.ID },
				"the secrets removed":   func(s *diff.Saved) { s.Changes[0].Secrets = nil },
				"force switched on":     func(s *diff.Saved) { s.Options.Force = true },
				"allowProtected on":     func(s *diff.Saved) { s.Options.AllowProtected = true },
				"allowMassDelete on":    func(s *diff.Saved) { s.Options.AllowMassDelete = true },
				"the summary rewritten": func(s *diff.Saved) { s.Summary.Update = 7 },
			}
			for name, tamper := range tamperings {
				var s diff.Saved
				if err := json.Unmarshal(b, &s); err != nil {
					t.Fatal(err)
				}
				if len(s.Changes) != 1 || s.Changes[0].Action != diff.Update || len(s.Changes[0].Secrets) == 0 {
					t.Fatalf("the reviewed plan is not one update with a secret digest: %s", b)
				}
				tamper(&s)
				if mode == "unauthenticated" {
					// The attacker knows the key: it is in the file.
					salt, _ := base64.StdEncoding.DecodeString(s.Salt)
					s.MAC = state.NewFingerprinter(&state.Data{Salt: salt}, "").MAC(s.Body())
				}
				edited, _ := json.Marshal(&s)
				path := filepath.Join(dir, "tampered.json")
				if err := os.WriteFile(path, edited, 0o600); err != nil {
					t.Fatal(err)
				}
				emu.Server.ResetCounts()
				code, out := cli("apply", "--yes", path)
				if code != 1 || !strings.Contains(out, "nothing was sent") {
					t.Errorf("%s: apply exited %d, want 1 and a refusal:\n%s", name, code, out)
				}
				if n := mutating(emu); n != 0 {
					t.Errorf("%s: %d mutating requests were sent: %v", name, n, emu.Server.Counts())
				}
			}
			// The plan as reviewed still applies, and only it: victim stays.
			emu.Server.ResetCounts()
			if code, out := cli("apply", "--yes", plan); code != 0 || !strings.Contains(out, "1 updated") {
				t.Fatalf("the untouched plan: exit %d\n%s", code, out)
			}
			if n := mutating(emu); n != 1 {
				t.Errorf("the untouched plan sent %d mutating requests, want 1: %v", n, emu.Server.Counts())
			}
		})
	}
}

// TestUnauthenticatedPlanMayNotPrune: with no key to authenticate it, a
// plan that prunes or lifts a guard is not saved.
func TestUnauthenticatedPlanMayNotPrune(t *testing.T) {
	emu := emulator.Start(t, emulator.Options{})
	dir := t.TempDir()
	m := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(m, []byte(tamperOwnership+strings.ReplaceAll(tamperKept, "%s", "one")), 0o600); err != nil {
		t.Fatal(err)
	}
	env, stdout, stderr := cliEnv(map[string]string{"RUNAI_CLIENT_ID": emu.ClientID, "RUNAI_CLIENT_SECRET": emu.ClientSecret, "SECRET_VALUE": "tamper-secret-value"})
	plan := filepath.Join(dir, "p.json")
	code := run(context.Background(), []string{"--url", emu.URL, "--state", "none", "plan", "-f", m, "--prune", "--out", plan}, env)
	if code != 1 || !strings.Contains(stderr.String(), "must be authenticated") || !strings.Contains(stderr.String(), "RUNAI_SYNC_STATE_KEY") {
		t.Fatalf("exit %d, want 1 and a refusal naming RUNAI_SYNC_STATE_KEY:\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(plan); err == nil {
		t.Fatal("the plan was saved")
	}
}
