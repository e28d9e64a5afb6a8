package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/atomicfile"
	"github.com/runai-sync/runai-sync/state"
)

// savedKey picks the key of a saved plan's fingerprints: RUNAI_SYNC_STATE_KEY
// when set, else the state's salt; with --state none (or a state not yet
// written) and no key, a random salt kept in the plan file (weaker: whoever
// reads the plan can check guesses of a secret; set RUNAI_SYNC_STATE_KEY to
// avoid it).
func savedKey(env *Env, s *session, salt string) (state.Fingerprinter, string, error) {
	envKey := env.Getenv(state.EnvStateKey)
	switch {
	case envKey != "":
		return state.NewFingerprinter(nil, envKey), "", nil
	case salt != "":
		b, err := base64.StdEncoding.DecodeString(salt)
		if err != nil {
			return state.Fingerprinter{}, "", fmt.Errorf("the plan's salt is damaged: %w", err)
		}
		return state.NewFingerprinter(&state.Data{Salt: b}, ""), salt, nil
	case s.state != nil && len(s.state.data.Entries) > 0:
		// The salt of a state with entries is saved; a new state's is not
		// until its first write, so a plan made then keeps its own.
		return s.state.fp, "", nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return state.Fingerprinter{}, "", err
	}
	salt = base64.StdEncoding.EncodeToString(b)
	return state.NewFingerprinter(&state.Data{Salt: b}, ""), salt, nil
}

// savePlan writes the plan for apply FILE, atomically, readable by its owner
// only (it holds no secret, but names every object).
func savePlan(env *Env, s *session, path string, files []string, opts diff.Options) error {
	fp, salt, err := savedKey(env, s, "")
	if err != nil {
		return err
	}
	saved := diff.Save(s.plan, files, opts, fp.Sum(s.set.Canonical()), fp.KeyID(), fp.Sum, time.Now())
	saved.Salt = salt
	b, err := json.MarshalIndent(saved, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the plan to %s: %w", path, err)
	}
	fmt.Fprintf(env.Stderr, "Saved the plan to %s; apply exactly this plan with: runai-sync apply --yes %s\n", path, path)
	return nil
}

// readPlan reads a plan saved by plan --out.
func readPlan(path string) (*diff.Saved, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s diff.Saved
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s is not a saved plan: %v", path, err)
	}
	if s.FormatVersion != diff.SavedFormatVersion {
		return nil, fmt.Errorf("%s is a plan of format %q; this runai-sync reads format %q: make a new plan", path, s.FormatVersion, diff.SavedFormatVersion)
	}
	if len(s.Files) == 0 {
		return nil, fmt.Errorf("%s names no manifest files", path)
	}
	return &s, nil
}

// checkSaved refuses a saved plan that no longer matches the manifests,
// the live state or the secret values; it returns the plan to apply.
func checkSaved(env *Env, s *session, saved *diff.Saved, path string) (*diff.Plan, error) {
	fp, _, err := savedKey(env, s, saved.Salt)
	if err != nil {
		return nil, err
	}
	if fp.KeyID() != saved.KeyID {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s was made with another state key (RUNAI_SYNC_STATE_KEY or state); nothing was sent: make a new plan", path)}
	}
	if fp.Sum(s.set.Canonical()) != saved.Manifests {
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("the manifests changed since %s was made; nothing was sent: make a new plan", path)}
	}
	if why := saved.Stale(s.plan, fp.Sum); len(why) > 0 {
		for _, w := range why {
			fmt.Fprintln(env.Stderr, "stale:", w)
		}
		return nil, &ExitError{Code: 1, Err: fmt.Errorf("%s is stale (%s); nothing was sent: make a new plan", path, plural(len(why), "object"))}
	}
	return saved.Restrict(s.plan), nil
}

var errPlanAndFlags = errors.New("a saved plan carries its own manifests and flags: give only the plan file (and --yes)")
