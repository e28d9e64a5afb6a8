package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	// Tests that need the binary as a process of its own (to send it a
	// signal) run the test binary itself with this variable set.
	if os.Getenv("RUNAI_SYNC_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	if filepath.Base(os.Args[0]) != "runai-sync-bin" {
		raiseParallel()
	}
	testscript.Main(m, map[string]func(){
		"runai-sync-bin": main,
	})
}

// raiseParallel lets more parallel tests run at once than there are CPUs,
// unless -test.parallel is given: the scenarios (twice: TestScripts and
// TestScriptsStrict) spend most of their time waiting on the emulator's
// latencies and delays, not computing.
func raiseParallel() {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
}

// TestScripts runs the end-to-end scenarios of testdata/script against
// the convenient emulator. Set UPDATE_SCRIPTS=1 to rewrite the expected
// output inside the scripts.
func TestScripts(t *testing.T) { runScripts(t, false) }

// TestScriptsStrict runs the same scenarios against a strict emulator, one
// that behaves as a real tenant less conveniently does (see strictOptions):
// every apply must still be followed by an empty plan. Scripts test the
// mode with [strict] only where output legitimately differs.
func TestScriptsStrict(t *testing.T) {
	t.Parallel() // alongside the other tests: its scripts mostly wait on delays
	runScripts(t, true)
}

// strictEnv is set to "1" in the scripts of TestScriptsStrict; the emulator
// command reads it (runai-sync does not).
const strictEnv = "SCRIPT_STRICT"

func runScripts(t *testing.T, strict bool) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join(repo, "testdata", "script"),
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != "",
		Condition: func(cond string) (bool, error) {
			if cond == "strict" {
				return strict, nil
			}
			return postgresCondition(cond)
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", repo)
			e.Setenv("NO_COLOR", "")
			if strict {
				e.Setenv(strictEnv, "1")
			}
			scanned.Store(e.WorkDir, snapshot(e.WorkDir))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"runai-sync":       cmdRunaiSync,
			"expect-exit":      cmdExpectExit,
			"secret":           cmdSecret,
			"emulator":         cmdEmulator,
			"require-postgres": cmdRequirePostgres,
			"emu":              cmdEmu,
			"scan-secrets":     cmdScanSecrets,
			"envsubst":         cmdEnvsubst,
			"metric":           cmdMetric,
		},
	})
}

// cmdRunaiSync runs the binary, records its exit code for expect-exit, and
// fails the script if a secret value shows in its output or in any file it
// may have written.
func cmdRunaiSync(ts *testscript.TestScript, neg bool, args []string) {
	err := ts.Exec("runai-sync-bin", args...)
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("runai-sync: %v", err)
		}
		code = ee.ExitCode()
	}
	ts.Setenv("RUNAI_SYNC_EXIT", strconv.Itoa(code))
	scanForSecrets(ts)
	switch {
	case neg && code == 0:
		ts.Fatalf("runai-sync succeeded unexpectedly")
	case !neg && code != 0:
		ts.Fatalf("runai-sync exited %d", code)
	}
}

// cmdExpectExit checks the exit code of the last runai-sync.
func cmdExpectExit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: expect-exit CODE")
	}
	if got := ts.Getenv("RUNAI_SYNC_EXIT"); got != args[0] {
		ts.Fatalf("runai-sync exited %s, want %s", got, args[0])
	}
}

// cmdSecret sets environment variables that hold secrets and registers
// their values, so that every later runai-sync is checked not to reveal them:
//
//	secret TEAM_A_S3_SECRET=wJalrXUtnFEMI
func cmdSecret(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: secret NAME=VALUE...")
	}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || len(value) < 6 {
			ts.Fatalf("secret %s: want NAME=VALUE with a value of 6 characters or more", a)
		}
		ts.Setenv(name, value)
		ts.Setenv(secretNames, strings.TrimSpace(ts.Getenv(secretNames)+" "+name))
	}
}

const secretNames = "RUNAI_SYNC_TEST_SECRET_NAMES"

// knownSecrets lists the secret values a script has: those registered with
// the secret command, the credentials runai-sync logs in with, the contents
// of *.secret files (the sources fromFile reads in the scripts), and every
// secret the script's emulator holds or issued (client secrets of service
// accounts and access keys, old ones too).
func knownSecrets(ts *testscript.TestScript) []string {
	names := append(strings.Fields(ts.Getenv(secretNames)), "RUNAI_CLIENT_SECRET", "RUNAI_TOKEN", "TOWER_ACCESS_TOKEN")
	var secrets []string
	for _, n := range names {
		if v := ts.Getenv(n); len(v) >= 6 {
			secrets = append(secrets, v)
		}
	}
	emulators.Range(func(key, e any) bool {
		// The script's emulator, and those started with emulator -as NAME.
		if k := key.(string); k == ts.Getenv("WORK") || strings.HasPrefix(k, ts.Getenv("WORK")+"#") {
			secrets = append(secrets, e.(*scriptEmulator).srv.IssuedSecrets()...)
		}
		return true
	})
	_ = filepath.WalkDir(ts.Getenv("WORK"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".secret") {
			if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) >= 6 {
				secrets = append(secrets, string(bytes.TrimSpace(b)))
			}
		}
		return nil
	})
	return secrets
}

// fileState tells a file written by a command from one that was there.
type fileState struct {
	size    int64
	modTime int64
}

func snapshot(dir string) map[string]fileState {
	files := map[string]fileState{}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				files[path] = fileState{info.Size(), info.ModTime().UnixNano()}
			}
		}
		return nil
	})
	return files
}

// scanned holds, per script ($WORK), the files as the last scan saw them.
var scanned sync.Map

// cmdScanSecrets scans the output of a background runai-sync, after wait
// put it in stdout and stderr, and the files written since the last scan:
//
//	exec runai-sync-bin apply ... &first&
//	wait first
//	scan-secrets
func cmdScanSecrets(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 0 {
		ts.Fatalf("usage: scan-secrets")
	}
	scanForSecrets(ts)
}

// scanForSecrets fails the script when a known secret value shows in the
// last stdout or stderr, or in a file written since the last scan (by
// this command or one in the background), but the *.secret sources and
// the files of a directory named "delivered", where scripts point
// spec.secretFile: the one place a secret is meant to land.
func scanForSecrets(ts *testscript.TestScript) {
	work := ts.Getenv("WORK")
	last, _ := scanned.Load(work)
	before, _ := last.(map[string]fileState)
	now := snapshot(work)
	scanned.Store(work, now)
	secrets := knownSecrets(ts)
	check := func(what string, data []byte) {
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				ts.Fatalf("a secret value appears in %s", what)
			}
		}
	}
	check("stdout", []byte(ts.ReadFile("stdout")))
	check("stderr", []byte(ts.ReadFile("stderr")))
	for path, state := range now {
		delivered := strings.Contains(path, string(filepath.Separator)+"delivered"+string(filepath.Separator))
		if strings.HasSuffix(path, ".secret") || delivered || before[path] == state {
			continue
		}
		if b, err := os.ReadFile(path); err == nil {
			check(path, b)
		}
	}
}

// postgresCondition is the [postgres] condition: true when a test
// PostgreSQL is set (RUNAI_SYNC_TEST_POSTGRES, which .ci/run starts). Without
// one it is false locally, so scripts skip saying why, and an error in CI
// (CI set), so CI never skips the PostgreSQL scenarios silently.
func postgresCondition(cond string) (bool, error) {
	if cond != "postgres" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if os.Getenv("RUNAI_SYNC_TEST_POSTGRES") != "" {
		return true, nil
	}
	if os.Getenv("CI") != "" {
		return false, errors.New("RUNAI_SYNC_TEST_POSTGRES is not set: .ci/run starts a PostgreSQL for the state scenarios")
	}
	return false, nil
}

// cmdRequirePostgres points RUNAI_SYNC_STATE at a fresh schema of the test
// PostgreSQL; use it after "[!postgres] skip".
func cmdRequirePostgres(ts *testscript.TestScript, neg bool, args []string) {
	dsn := os.Getenv("RUNAI_SYNC_TEST_POSTGRES")
	if dsn == "" || neg {
		ts.Fatalf("usage: [!postgres] skip, then require-postgres")
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	schema := fmt.Sprintf("script_%d_%d", os.Getpid(), time.Now().UnixNano())
	ts.Setenv("RUNAI_SYNC_STATE", dsn+sep+"schema="+schema)
}

// cmdEnvsubst copies a file, replacing each $NAME and ${NAME} set in the
// script's environment (the URLs of emulators, in a tenants file); others,
// such as ${tenant}, stay as written:
//
//	envsubst runai-sync.yaml.in runai-sync.yaml
func cmdEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envsubst IN OUT")
	}
	out := os.Expand(ts.ReadFile(args[0]), func(name string) string {
		if v := ts.Getenv(name); v != "" {
			return v
		}
		return "${" + name + "}"
	})
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out), 0o644))
}
