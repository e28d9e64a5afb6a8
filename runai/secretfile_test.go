package runai

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

// readSecretFile decodes a secret file and checks its mode.
func readSecretFile(t *testing.T, path string) map[string]string {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// inode identifies the file at path, to tell a rewrite from no write.
func inode(t *testing.T, path string) uint64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		t.Skip("no inode numbers here")
	}
	return st.Ino
}

// onlyFile fails when the directory holds anything but name (a temporary
// file left behind).
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{name}, names); diff != "" {
		t.Errorf("%s holds (-want +got):\n%s", dir, diff)
	}
}

// TestSecretFileDelivery: a create writes spec.secretFile (JSON, 0600, in
// a directory made 0700), a rotation replaces it atomically with the new
// secret, for service accounts and access keys alike.
func TestSecretFileDelivery(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"ServiceAccount", "AccessKey"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			e := setupIdentities(t, emulator.Options{})
			dir := filepath.Join(t.TempDir(), "out", "nested")
			path := filepath.Join(dir, "ci.json")
			doc := saDoc
			if kind == "AccessKey" {
				doc = akDoc
			}
			d := e.one(doc("ci-pipeline", fmt.Sprintf(`{rotation: r1, secretFile: %q}`, path)))
			res := e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
			clientID, secret := secrets(t, res)
			want := map[string]string{"name": "ci-pipeline", "clientId": clientID, "clientSecret": secret, "createdAt": "2026-03-01T12:00:00Z"}
			if diff := cmp.Diff(want, readSecretFile(t, path)); diff != "" {
				t.Errorf("secret file (-want +got):\n%s", diff)
			}
			if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
				t.Errorf("directory made with %v, %v; want 0700", info.Mode().Perm(), err)
			}
			onlyFile(t, dir, "ci.json")
			before := inode(t, path)

			e.clock.Advance(90 * 24 * 3600 * 1e9)
			ch := e.plan(e.one(doc("ci-pipeline", fmt.Sprintf(`{rotation: r2, secretFile: %q}`, path))), "r1")
			_, fresh := secrets(t, e.mustDo(diff.PhaseCreate, ch))
			want["clientSecret"], want["createdAt"] = fresh, "2026-05-30T12:00:00Z"
			if diff := cmp.Diff(want, readSecretFile(t, path)); diff != "" {
				t.Errorf("secret file after the rotation (-want +got):\n%s", diff)
			}
			if inode(t, path) == before {
				t.Errorf("the file was rewritten in place, not replaced by a rename")
			}
			onlyFile(t, dir, "ci.json")
			testkit.NoSecretIn(t, e.log.Lines(), secret, fresh)
			if !strings.Contains(strings.Join(e.log.Lines(), "\n"), "wrote the client secret to "+path) {
				t.Errorf("the log does not say where the secret went")
			}
		})
	}
}

// TestSecretFileUnchangedSecret: a file that holds the same secret already
// is not rewritten (its mode is tightened); another secret replaces it; an
// unreadable one is replaced.
func TestSecretFileUnchangedSecret(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ci.json")
	content := secretFile{Name: "ci", ClientID: "sa-1", ClientSecret: "first-secret", CreatedAt: "2026-03-01T12:00:00Z"}
	if written, err := writeSecretFile(path, content); err != nil || !written {
		t.Fatalf("first write = %v, %v", written, err)
	}
	ino := inode(t, path)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	again := content
	again.CreatedAt = "2026-04-01T00:00:00Z"
	if written, err := writeSecretFile(path, again); err != nil || written {
		t.Fatalf("write of the same secret = %v, %v; want no write", written, err)
	}
	if inode(t, path) != ino || readSecretFile(t, path)["createdAt"] != content.CreatedAt {
		t.Errorf("the same secret was written again")
	}
	other := content
	other.ClientSecret = "second-secret"
	if written, err := writeSecretFile(path, other); err != nil || !written {
		t.Fatalf("write of another secret = %v, %v", written, err)
	}
	if got := readSecretFile(t, path)["clientSecret"]; got != "second-secret" || inode(t, path) == ino {
		t.Errorf("another secret did not replace the file")
	}
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if written, err := writeSecretFile(path, other); err != nil || !written {
		t.Errorf("a file that is not JSON was not replaced: %v, %v", written, err)
	}
}

// TestSecretFileFailure: when the file cannot be written the step fails,
// naming the object and the path and never the secret; the account exists
// (the next apply regenerates the secret). Two emulators with one seed
// generate the same secrets: the first shows which secret the second's
// failed step held.
func TestSecretFileFailure(t *testing.T) {
	t.Parallel()
	opts := emulator.Options{Seed: 42}
	good := filepath.Join(t.TempDir(), "ci.json")
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(blocker, "ci.json")

	var secretsSeen []string
	run := func(path string) (e *env, created, rotated error) {
		e = setupIdentities(t, opts)
		d := e.one(saDoc("ci-pipeline", fmt.Sprintf(`{rotation: r1, secretFile: %q}`, path)))
		_, created = e.do(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
		if created == nil {
			secretsSeen = append(secretsSeen, readSecretFile(t, path)["clientSecret"])
		}
		ch := e.plan(e.one(saDoc("ci-pipeline", fmt.Sprintf(`{rotation: r2, secretFile: %q}`, path))), "r1")
		_, rotated = e.do(diff.PhaseCreate, ch)
		if rotated == nil {
			secretsSeen = append(secretsSeen, readSecretFile(t, path)["clientSecret"])
		}
		return e, created, rotated
	}
	ref, err1, err2 := run(good)
	if err1 != nil || err2 != nil || len(secretsSeen) != 2 {
		t.Fatalf("with a good path: %v, %v", err1, err2)
	}
	e, created, rotated := run(bad)
	if ref.snapshot()[manifestSAKey("ci-pipeline")].Outputs["clientId"].Reveal() != e.snapshot()[manifestSAKey("ci-pipeline")].Outputs["clientId"].Reveal() {
		t.Fatalf("the two emulators did not generate the same identities: the leak check below would prove nothing")
	}
	var texts []string
	for _, err := range []error{created, rotated} {
		var re *Error
		if !errors.As(err, &re) || re.Subject() != manifestSAKey("ci-pipeline") {
			t.Fatalf("step = %v, want an *Error about the service account", err)
		}
		msg := err.Error()
		for _, want := range []string{"service account ci-pipeline: write secret file failed", bad, "regenerates"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not say %q", msg, want)
			}
		}
		texts = append(texts, msg, fmt.Sprintf("%+v %#v", err, err))
	}
	if len(e.snapshot()) != 1 {
		t.Errorf("the account was not created")
	}
	testkit.NoSecretIn(t, append(texts, e.log.Lines()...), secretsSeen...)

	// A directory where the file should be is an error too.
	if _, err := writeSecretFile(t.TempDir(), secretFile{ClientSecret: "x"}); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("writing over a directory = %v", err)
	}
}

func manifestSAKey(name string) manifest.Key {
	return manifest.Key{Kind: manifest.KindServiceAccount, Name: name}
}
