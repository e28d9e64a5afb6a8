package main

import "fmt"

// notYet is the answer of a command whose issue has not landed: an error,
// exit 1, and no placeholder output.
func notYet(cmd string) error {
	return fmt.Errorf("runai-sync %s is not implemented yet", cmd)
}

// ExportCmd prints live state as manifests.
type ExportCmd struct{}

// Run is not implemented yet.
func (c *ExportCmd) Run() error { return notYet("export") }
