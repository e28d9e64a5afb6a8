package main

import (
	"os"

	"github.com/runai-sync/runai-sync/internal/secretsource"
	"github.com/runai-sync/runai-sync/manifest"
)

// SecretFlags say which programs fromCommand may run and which directories
// beyond the working directory fromFile and fromSops may read and
// spec.secretFile may write.
type SecretFlags struct {
	AllowCommand     []string `name:"allow-command" env:"RUNAI_SYNC_ALLOW_COMMANDS" sep:"," placeholder:"NAME" help:"Let fromCommand run this program, named as the manifests write it (op, vault, /usr/local/bin/op), with any arguments, or with words after it ('vault kv get') only with arguments that start so; repeat for more. RUNAI_SYNC_ALLOW_COMMANDS takes a comma-separated list. Nothing runs without it: manifests arrive in pull requests."`
	AllowFileOutside []string `name:"allow-file-outside" sep:"none" placeholder:"DIR" help:"Let fromFile and fromSops read files inside DIR, and spec.secretFile write there, too (by default only inside the working directory's tree); repeat for more."`
}

// resolver builds the secret resolver of one run, for the manifests' and
// the tenants file's secrets alike, so that both take every secret-field
// form. Files must lie inside
// roots (the working directory when none is given; a tenants file gives
// its own directory) or a directory of --allow-file-outside.
func (f SecretFlags) resolver(env *Env, roots ...string) manifest.Resolver {
	if len(roots) == 0 {
		if wd, err := os.Getwd(); err == nil {
			roots = []string{wd}
		}
	}
	return manifest.Resolver{
		LookupEnv: env.LookupEnv,
		Roots:     append(roots, f.AllowFileOutside...),
		Sources:   secretsource.New(secretsource.Options{AllowCommands: f.AllowCommand}),
	}
}
