package main

import (
	"fmt"
	"runtime/debug"
)

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(env *Env) error {
	_, err := fmt.Fprintln(env.Stdout, "runai-sync", version())
	return err
}

// buildVersion is set at build time: make build passes `git describe`
// with -ldflags "-X main.buildVersion=v1.2.3".
var buildVersion = ""

// version names this build: buildVersion when set; else the module version
// (go install …@v1.2.3); else the VCS revision Go recorded (devel-<12 hex>,
// with -dirty for uncommitted changes); else "dev".
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(buildVersion, bi)
}

func versionFrom(override string, bi *debug.BuildInfo) string {
	if override != "" {
		return override
	}
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "devel-" + rev
	if dirty {
		v += "-dirty"
	}
	return v
}
