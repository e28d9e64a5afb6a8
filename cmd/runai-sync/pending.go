package main

import "fmt"

// notYet is the answer of a command whose issue has not landed: an error,
// exit 1, and no placeholder output.
func notYet(cmd string) error {
	return fmt.Errorf("runai-sync %s is not implemented yet", cmd)
}

// PlanCmd shows what apply would change.
type PlanCmd struct {
	ManifestFlags
}

// Run is not implemented yet.
func (c *PlanCmd) Run() error { return notYet("plan") }

// ApplyCmd makes the live state equal to the manifests.
type ApplyCmd struct {
	ManifestFlags
}

// Run is not implemented yet.
func (c *ApplyCmd) Run() error { return notYet("apply") }

// DriftCmd reports drift.
type DriftCmd struct {
	ManifestFlags
}

// Run is not implemented yet.
func (c *DriftCmd) Run() error { return notYet("drift") }

// ExportCmd prints live state as manifests.
type ExportCmd struct{}

// Run is not implemented yet.
func (c *ExportCmd) Run() error { return notYet("export") }
