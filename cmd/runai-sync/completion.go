package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"
)

// CompletionCmd prints the shell code that makes the shell ask runai-sync
// for completions (kongplete answers, from the kong model: commands, flags,
// enum values, and paths after -f).
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

// Help says where the code goes.
func (c *CompletionCmd) Help() string {
	return `Add the output to your shell's start-up file, or load it now:

  source <(runai-sync completion bash)           # ~/.bashrc
  source <(runai-sync completion zsh)            # ~/.zshrc
  runai-sync completion fish | source            # ~/.config/fish/config.fish`
}

// completionScripts are the shells' ways to ask a program for completions:
// the program is run with COMP_LINE set (posener/complete's protocol).
var completionScripts = map[string]string{
	"bash": "complete -o default -C %[1]s %[2]s\n",
	"zsh":  "autoload -U +X bashcompinit && bashcompinit\ncomplete -o default -C %[1]s %[2]s\n",
	"fish": `function __complete_%[2]s
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    %[1]s
end
complete -f -c %[2]s -a "(__complete_%[2]s)"
`,
}

// Run prints the code for the shell.
func (c *CompletionCmd) Run(k *kong.Context, env *Env) error {
	bin, err := os.Executable()
	if err == nil {
		bin, err = filepath.Abs(bin)
	}
	if err != nil {
		return fmt.Errorf("finding this program's path for the completion code: %w", err)
	}
	_, err = fmt.Fprintf(env.Stdout, completionScripts[c.Shell], shellQuote(bin), k.Model.Name)
	return err
}

// shellQuote quotes s for the three shells when it needs quoting.
func shellQuote(s string) string {
	if strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// answerCompletion answers the shell's request for completions (COMP_LINE is set)
// on standard output and exits through parser.Exit.
func answerCompletion(parser *kong.Kong) {
	kongplete.Complete(parser, kongplete.WithPredictor("path", complete.PredictFiles("*")))
}
