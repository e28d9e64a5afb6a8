package main

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/internal/atomicfile"
	"github.com/runai-sync/runai-sync/manifest"
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

// maxPlanFile bounds the size of a saved plan apply reads.
const maxPlanFile = 64 << 20

// unauthenticated refuses what a plan keyed by its own salt cannot be
// trusted with. Such a plan (no RUNAI_SYNC_STATE_KEY, and no state key yet:
// --state none, or a state no apply has written) carries the key of its MAC,
// so whoever can edit the file can make a matching MAC: it may only create,
// update and replace what the manifests say (apply checks each change
// against the plan made now), never prune or lift a guard.
func unauthenticated(opts diff.Options) error {
	if opts == (diff.Options{}) {
		return nil
	}
	return errors.New("a plan that prunes or lifts a guard (--prune, --force, --allow-protected, --allow-mass-delete) must be authenticated, " +
		"and this one cannot be: set RUNAI_SYNC_STATE_KEY when making and applying it (or make it after an apply has written the state)")
}

// savePlan writes the plan for apply FILE, atomically, readable by its owner
// only (it holds no secret, but names every object). The manifest paths are
// kept absolute, so that apply FILE works from any directory (a plan of
// several tenants holds each tenant's plan as this writes it); MAC
// authenticates the whole plan with the fingerprints' key.
func savePlan(env *Env, s *session, path string, files []string, opts diff.Options) error {
	fp, salt, err := savedKey(env, s, "")
	if err != nil {
		return err
	}
	if salt != "" {
		if err := unauthenticated(opts); err != nil {
			return fmt.Errorf("not saving the plan to %s: %w", path, err)
		}
	}
	abs, err := planAbsolute(files)
	if err != nil {
		return err
	}
	saved := diff.Save(s.plan, abs, opts, fp.Sum(s.set.Canonical()), fp.KeyID(), fp.Sum, time.Now())
	saved.Salt = salt
	saved.MAC = fp.MAC(saved.Body())
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

// planAbsolute turns manifest paths into absolute ones ("-", standard
// input, stays), so that apply PLAN finds them from any directory.
func planAbsolute(files []string) ([]string, error) {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f
		if f == "-" {
			continue
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		out[i] = abs
	}
	return out, nil
}

// readPlan reads a plan saved by plan --out (a regular file of at most
// 64 MiB); planFiles gives its manifest paths from here.
func readPlan(path string) (*diff.Saved, error) {
	b, err := manifest.ReadRegularFile(path, maxPlanFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
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

// planFiles are the manifest paths of a saved plan as paths from here: they
// are absolute; a relative one (written by hand) is taken as relative to
// the plan file's directory.
func planFiles(path string, saved *diff.Saved) []string {
	out := make([]string, len(saved.Files))
	for i, f := range saved.Files {
		out[i] = f
		if f != "-" && !filepath.IsAbs(f) {
			out[i] = filepath.Join(filepath.Dir(path), f)
		}
	}
	return out
}

// checkSaved refuses a saved plan that was edited, or no longer matches
// the manifests, the live state or the secret values; it returns the plan
// to apply. Nothing has been sent yet but reads.
func checkSaved(env *Env, s *session, saved *diff.Saved, path string) (*diff.Plan, error) {
	fp, salt, err := savedKey(env, s, saved.Salt)
	if err != nil {
		return nil, err
	}
	refuse := func(format string, args ...any) error {
		return &ExitError{Code: 1, Err: fmt.Errorf(format, args...)}
	}
	if fp.KeyID() != saved.KeyID {
		return nil, refuse("%s was made with another state key (RUNAI_SYNC_STATE_KEY or state); nothing was sent: make a new plan", path)
	}
	if saved.MAC == "" || !hmac.Equal([]byte(fp.MAC(saved.Body())), []byte(saved.MAC)) {
		return nil, refuse("%s was changed after it was made (its MAC does not match); nothing was sent: make a new plan and review it", path)
	}
	if salt != "" {
		if err := unauthenticated(saved.Options); err != nil {
			return nil, refuse("%s: %v; nothing was sent", path, err)
		}
	}
	if fp.Sum(s.set.Canonical()) != saved.Manifests {
		return nil, refuse("the manifests changed since %s was made; nothing was sent: make a new plan", path)
	}
	if why := saved.Stale(s.plan, fp.Sum); len(why) > 0 {
		for _, w := range why {
			fmt.Fprintln(env.Stderr, "stale:", w)
		}
		return nil, refuse("%s is stale (%s); nothing was sent: make a new plan", path, plural(len(why), "object"))
	}
	return saved.Restrict(s.plan), nil
}

var errPlanAndFlags = errors.New("a saved plan carries its own manifests and flags: give only the plan file (and --yes)")
