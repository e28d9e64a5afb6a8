package secretsource

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/manifest"
)

func cmd(timeout string, argv ...string) manifest.CommandRef {
	return manifest.CommandRef{Command: argv, Timeout: timeout}
}

// TestCommand: the standard output, one trailing newline removed, is the
// value; arguments reach the program as they are, never through a shell.
func TestCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "marker")
	s := New(Options{AllowCommands: []string{"printf", "echo", "sh"}})
	for _, tt := range []struct {
		c    manifest.CommandRef
		want string
	}{
		{cmd("", "printf", `cmd-value-1\n`), "cmd-value-1"},
		{cmd("", "printf", `two\n\n`), "two\n"},
		{cmd("", "printf", `crlf\r\n`), "crlf"},
		{cmd("", "echo", "$(touch "+marker+")", ";", "touch", marker), "$(touch " + marker + ") ; touch " + marker},
	} {
		v, err := s.Command(tt.c)
		if err != nil || v.Reveal() != tt.want {
			t.Errorf("%q = %q, %v; want %q", tt.c.Command, v.Reveal(), err, tt.want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("an argument went through a shell")
	}
}

// TestCommandAllowList: a program the allow-list does not name never runs.
func TestCommandAllowList(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "marker")
	s := New(Options{AllowCommands: []string{" op ", "", "/usr/bin/vault"}})
	for _, c := range []manifest.CommandRef{cmd("", "touch", marker), cmd("", "vault", "x"), cmd("", "/usr/bin/touch", marker)} {
		err := s.CheckCommand(c)
		want := "command " + c.Name() + " is not allowed to run: manifests arrive in pull requests, so allow it with --allow-command " + c.Name()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", c.Name(), err, want)
		}
		if _, err := s.Command(c); err == nil {
			t.Errorf("%s ran", c.Name())
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a command that is not allowed ran")
	}
	if err := s.CheckCommand(cmd("", "op", "read")); err != nil {
		t.Errorf("op is allowed: %v", err)
	}
	if err := s.CheckCommand(cmd("1h", "op")); err == nil || !strings.Contains(err.Error(), `timeout "1h" is not a duration between 1ms and 10m`) {
		t.Errorf("a timeout of an hour: %v", err)
	}
}

// An allow-list entry with words after the program allows only arguments
// that start with those words: a pull request cannot turn "vault kv get"
// into "vault kv delete".
func TestCommandAllowListWithArguments(t *testing.T) {
	t.Parallel()
	s := New(Options{AllowCommands: []string{"vault kv get", "op  read", "op item get"}})
	for _, c := range []manifest.CommandRef{cmd("", "vault", "kv", "get", "secret/x"), cmd("", "vault", "kv", "get"), cmd("", "op", "read", "op://v/i/f"), cmd("", "op", "item", "get", "x")} {
		if err := s.CheckCommand(c); err != nil {
			t.Errorf("%q: %v", c.Command, err)
		}
	}
	for _, c := range []manifest.CommandRef{cmd("", "vault", "kv", "delete", "secret/x"), cmd("", "vault", "kv"), cmd("", "vault"), cmd("", "vault", "kv", "getx"), cmd("", "op", "item", "delete", "x")} {
		err := s.CheckCommand(c)
		if err == nil || !strings.Contains(err.Error(), "command "+c.Name()+" is allowed only with the arguments --allow-command gives (") {
			t.Errorf("%q: %v, want refused", c.Command, err)
		}
		if _, err := s.Command(c); err == nil {
			t.Errorf("%q ran", c.Command)
		}
	}
	err := s.CheckCommand(cmd("", "op", "item", "delete", "x"))
	if err == nil || !strings.Contains(err.Error(), "(op read; op item get)") {
		t.Errorf("the refusal names the allowed forms: %v", err)
	}
}

// TestCommandFailures: not found, failing (exit status and the end of
// standard error, with standard output scrubbed from it), timing out,
// printing nothing.
func TestCommandFailures(t *testing.T) {
	t.Parallel()
	s := New(Options{AllowCommands: []string{"sh", "no-such-program-x", "sleep", "true"}})
	long := strings.Repeat("noise line\n", 200)
	for _, tt := range []struct {
		name string
		c    manifest.CommandRef
		want []string
		not  []string
	}{
		{"not found", cmd("", "no-such-program-x"), []string{"command no-such-program-x not found: install it, or give its full path"}, nil},
		{"failing", cmd("", "sh", "-c", "echo out-value-4242; echo out-value-4242 is wrong >&2; echo 'try again' >&2; exit 3"),
			[]string{"command sh failed (exit status 3); its standard error ends: (sensitive) is wrong / try again"}, []string{"out-value-4242"}},
		{"long standard error keeps its end", cmd("", "sh", "-c", "printf '"+strings.ReplaceAll(long, "\n", `\n`)+"the end' >&2; exit 1"),
			[]string{"…", "the end"}, []string{strings.Repeat("noise line / ", 60)}},
		{"control characters dropped", cmd("", "sh", "-c", `printf '\033[31mred\a\n' >&2; exit 1`), []string{"ends: [31mred"}, []string{"\033", "\a"}},
		{"timing out", cmd("300ms", "sleep", "5"), []string{"command sleep timed out after 300ms"}, nil},
		{"nothing printed", cmd("", "true"), []string{"command true printed nothing on standard output"}, nil},
	} {
		start := time.Now()
		_, err := s.Command(tt.c)
		if time.Since(start) > 3*time.Second {
			t.Errorf("%s: took %s", tt.name, time.Since(start))
		}
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q, want it to contain %q", tt.name, err, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(err.Error(), n) {
				t.Errorf("%s: error %q shows %q", tt.name, err, n)
			}
		}
	}
}

// TestCommandOncePerRun: identical commands run once, however many fields
// and goroutines ask; a new run runs it again.
func TestCommandOncePerRun(t *testing.T) {
	t.Parallel()
	counter := filepath.Join(t.TempDir(), "runs")
	c := cmd("", "sh", "-c", `echo ran >> "$0"; echo counted-value`, counter)
	s := New(Options{AllowCommands: []string{"sh"}})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v, err := s.Command(c); err != nil || v.Reveal() != "counted-value" {
				t.Errorf("got %q, %v", v.Reveal(), err)
			}
		})
	}
	wg.Wait()
	runs := func() int {
		b, err := os.ReadFile(counter)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Count(string(b), "ran")
	}
	if n := runs(); n != 1 {
		t.Fatalf("ran %d times in one run", n)
	}
	if _, err := New(Options{AllowCommands: []string{"sh"}}).Command(c); err != nil {
		t.Fatal(err)
	}
	if n := runs(); n != 2 {
		t.Fatalf("a new run ran it %d times in all, want 2", n)
	}
}
