package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	interrupts := watchSignals(cancel, os.Stderr, os.Exit)
	stopProfiles := startProfiles()
	env := newEnv(os.Stdin, os.Stdout, os.Stderr)
	env.interrupts = interrupts
	code := run(ctx, os.Args[1:], env)
	stopProfiles()
	interrupts.close()
	cancel()
	os.Exit(code)
}

// run parses args, runs the command and returns the exit code. ctx ends on
// Ctrl-C (SIGINT) or SIGTERM (see interrupts: an apply's first signal only
// stops new steps).
func run(ctx context.Context, args []string, env *Env) int {
	env.serialize()
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("runai-sync"),
		kong.Description("Keep NVIDIA Run:ai credentials, service accounts and access keys (and Seqera Platform credentials) equal to YAML manifests kept in git."),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, Summary: true, WrapUpperBound: 100}),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.Bind(env, &cli.Globals),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.Vars{"version": "runai-sync " + version()}, // what --version prints
	)
	if err != nil {
		fmt.Fprintln(env.Stderr, "runai-sync: internal error:", err)
		return 1
	}
	return runParsed(parser, &cli, args, env)
}

// exitPanic carries kong's exit code (after --help, say) out of Parse.
type exitPanic int

func runParsed(parser *kong.Kong, cli *CLI, args []string, env *Env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			code = int(c)
		}
	}()
	if env.Getenv("COMP_LINE") != "" {
		answerCompletion(parser) // the shell asks for completions: answer and exit
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		parser.Errorf("%s", err)
		var pe *kong.ParseError
		if errors.As(err, &pe) {
			// Usage is a diagnostic: standard output may be a plan file.
			parser.Stdout = env.Stderr
			_ = pe.Context.PrintUsage(true)
		}
		return 1
	}
	env.setGlobals(&cli.Globals)
	if err := ctx.Run(); err != nil {
		return report(env.Stderr, err)
	}
	return 0
}

// ExitError ends the program with a code other than 1; Err (if any) is
// printed first.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// errSilent is returned when the command already printed why it failed.
var errSilent = errors.New("")

func report(w io.Writer, err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil && !errors.Is(ee.Err, errSilent) {
			fmt.Fprintln(w, "Error:", ee.Err)
		}
		return ee.Code
	}
	if !errors.Is(err, errSilent) {
		fmt.Fprintln(w, "Error:", err)
	}
	return 1
}
