package secretsource

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/runai-sync/runai-sync/manifest"
)

// Options configure the sources of one run.
type Options struct {
	// AllowCommands names the programs fromCommand may run, as manifests
	// write them (--allow-command, RUNAI_SYNC_ALLOW_COMMANDS): a name alone
	// allows any arguments, a name and words ("vault kv get") only
	// arguments that start with those words.
	AllowCommands []string
}

// Sources resolves fromSops and fromCommand for one run, remembering every
// result. It is safe for concurrent use.
type Sources struct {
	allow [][]string // each: the program, then the arguments it must start with

	mu       sync.Mutex
	files    map[string]*fileResult
	commands map[string]*commandResult
}

var _ manifest.Sources = (*Sources)(nil)

// New returns the sources of one run.
func New(o Options) *Sources {
	var allow [][]string
	for _, a := range o.AllowCommands {
		if words := strings.Fields(a); len(words) > 0 {
			allow = append(allow, words)
		}
	}
	return &Sources{allow: allow, files: map[string]*fileResult{}, commands: map[string]*commandResult{}}
}

// CheckCommand implements manifest.Sources: a program runs only when the
// allow-list names it exactly as the manifest writes it, and, when the
// entry gives words after the name, with arguments that start with them.
func (s *Sources) CheckCommand(c manifest.CommandRef) error {
	name := c.Name()
	if name == "" {
		return fmt.Errorf("command is empty: give the program and its arguments, [op, read, op://vault/item/field]")
	}
	if _, err := c.Duration(); err != nil {
		return err
	}
	var forms []string
	for _, a := range s.allow {
		if a[0] != name {
			continue
		}
		if len(c.Command)-1 >= len(a)-1 && slices.Equal(c.Command[1:len(a)], a[1:]) {
			return nil
		}
		forms = append(forms, strings.Join(a, " "))
	}
	if len(forms) > 0 {
		return fmt.Errorf("command %s is allowed only with the arguments --allow-command gives (%s): these do not start so", name, strings.Join(forms, "; "))
	}
	return fmt.Errorf("command %s is not allowed to run: manifests arrive in pull requests, so allow it with --allow-command %s (or RUNAI_SYNC_ALLOW_COMMANDS=%s); --allow-command '%s SUBCOMMAND' allows only that subcommand", name, name, name, name)
}

// display is how messages name a file: relative to the working directory
// when inside it, else as it is.
func display(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
