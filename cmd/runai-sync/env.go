package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/fatih/color"
	"golang.org/x/term"

	"github.com/runai-sync/runai-sync/manifest"
)

// Env is what a command may touch of the outside world; tests swap it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// LookupEnv reads an environment variable and says whether it is set.
	LookupEnv func(string) (string, bool)
	// StdinTerminal is true when standard input is a terminal (prompts).
	StdinTerminal bool
	// Terminal is true when stdout is a terminal (colour, live progress,
	// confirmation prompts).
	Terminal bool
	// Color is decided from Terminal, NO_COLOR, TERM=dumb and --no-color.
	Color bool
	// Verbose is the -v count.
	Verbose int
	// interrupts turns signals into stops (nil in tests that call run).
	interrupts *interrupts
	// observed holds what the run found per tenant, for --metrics-file
	// (see observations); shared with the Envs of parallel tenants.
	observed *observed
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *Env {
	e := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, LookupEnv: os.LookupEnv}
	if f, ok := stdout.(*os.File); ok {
		e.Terminal = term.IsTerminal(int(f.Fd()))
	}
	if f, ok := stdin.(*os.File); ok {
		e.StdinTerminal = term.IsTerminal(int(f.Fd()))
	}
	return e
}

func (e *Env) setGlobals(g *Globals) {
	// Secrets that never become a manifest.Secret: see redact.
	manifest.RegisterURLSecrets(g.State)
	manifest.RegisterSecret(e.Getenv("RUNAI_SYNC_STATE_KEY"))
	e.Verbose = g.Verbose
	// A dumb terminal (TERM=dumb: an editor's shell, a CI log) shows escape
	// codes as they are.
	e.Color = e.Terminal && !g.NoColor && e.Getenv("NO_COLOR") == "" && e.Getenv("TERM") != "dumb"
	color.NoColor = !e.Color
}

// logf writes a verbose log line to standard error. The HTTP clients of
// parallel apply steps call it at once: see serialize.
func (e *Env) logf(format string, args ...any) {
	fmt.Fprintf(e.Stderr, format+"\n", args...)
}

// serialize makes Stdout and Stderr safe for the goroutines of a parallel
// apply, which log attempts and report steps as they end: each Write is
// whole, and one line never tears another (fmt.Fprintf writes once).
//
// It is also the one place where secrets are scrubbed: every Write passes
// through manifest.RedactBytes, which replaces each registered secret value
// (every manifest.Secret registers its value when made; see
// manifest.RegisterSecret) by "(sensitive)". Whatever a server echoes back
// into an error, whatever a log line quotes, nothing printed shows a
// secret. A value split across two Writes would escape; the program writes
// whole lines.
func (e *Env) serialize() {
	if _, ok := e.Stdout.(*lockedWriter); !ok {
		e.Stdout = &lockedWriter{w: e.Stdout}
	}
	if _, ok := e.Stderr.(*lockedWriter); !ok {
		e.Stderr = &lockedWriter{w: e.Stderr}
	}
}

// lockedWriter serializes the writes to w and scrubs secrets from them.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(manifest.RedactBytes(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// unredacted is w without the scrubbing, for the one output meant to hold
// a secret: the emulator's own credentials, printed for a shell to source.
func unredacted(w io.Writer) io.Writer {
	if l, ok := w.(*lockedWriter); ok {
		return writerFunc(func(p []byte) (int, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.w.Write(p)
		})
	}
	return w
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// colorize returns a function that paints text when colour is on.
func (e *Env) colorize(attrs ...color.Attribute) func(string) string {
	c := color.New(attrs...)
	if e.Color {
		c.EnableColor()
	} else {
		c.DisableColor()
	}
	return func(s string) string { return c.Sprint(s) }
}
