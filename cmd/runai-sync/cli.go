package main

import (
	"github.com/alecthomas/kong"
)

// CLI is the root of the command line.
type CLI struct {
	Globals

	Validate ValidateCmd `cmd:"" help:"Check manifests offline: schema, references, scopes, duplicates."`
	Plan     PlanCmd     `cmd:"" help:"Show what apply would change."`
	Apply    ApplyCmd    `cmd:"" help:"Make the live state equal to the manifests (or apply a saved plan)."`
	Drift    DriftCmd    `cmd:"" help:"Report live objects that differ from the manifests; exit 2 on drift."`
	Export   ExportCmd   `cmd:"" help:"Print live state as manifests (secrets as fromEnv placeholders)."`
	Audit    AuditCmd    `cmd:"" help:"Report stale keys, unused accounts and credentials, failed syncs; exit 2 on findings."`
	Schema   SchemaCmd   `cmd:"" help:"Print the JSON Schema of the manifests (for editors)."`
	Emulator EmulatorCmd `cmd:"" help:"Serve an emulated Run:ai and Seqera API on loopback."`
	State    StateCmd    `cmd:"" help:"Show or unlock the state runai-sync keeps between runs."`
	Version  VersionCmd  `cmd:"" help:"Print the version."`

	Help       HelpCmd       `cmd:"" help:"Show help for a command: runai-sync help apply."`
	Completion CompletionCmd `cmd:"" help:"Print the shell code that turns on tab completion (bash, zsh, fish)."`
}

// Globals are accepted before or after any command.
type Globals struct {
	URL     string `name:"url" env:"RUNAI_BASE_URL" placeholder:"URL" help:"Run:ai API base URL, e.g. https://myorg.run.ai. Credentials come from RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET, or RUNAI_TOKEN."`
	NoColor bool   `name:"no-color" help:"Never colour output (colour is used only on a terminal, and never when NO_COLOR is set)."`
	Verbose int    `short:"v" type:"counter" help:"Log one line per HTTP request to standard error: method, path, status, attempt, time (never a header or a body)."`
	State   string `name:"state" env:"RUNAI_SYNC_STATE" placeholder:"STATE" help:"Where runai-sync remembers what it applied (secret fingerprints, rotation markers, the apply lock): a file (default .runai-sync/state.json), postgres://..., or none."`
	Config  string `name:"config" env:"RUNAI_SYNC_CONFIG" placeholder:"FILE" help:"The tenants file (default runai-sync.yaml in the working directory, when it exists): commands then run for the tenants --tenant or --all-tenants select."`
	// Version is kong's --version: it prints the version and exits.
	Version kong.VersionFlag `name:"version" help:"Print the version and exit."`
}

// ManifestFlags selects the manifests a command reads.
type ManifestFlags struct {
	Files []string `short:"f" name:"filename" sep:"none" placeholder:"PATH" predictor:"path" help:"Manifest file or directory (recursive: .yaml, .yml, .json); repeat for more; - reads standard input. With a tenants file, each tenant's manifests come from it instead."`
}
