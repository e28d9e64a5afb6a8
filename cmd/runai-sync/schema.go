package main

import "github.com/runai-sync/runai-sync/schema"

// SchemaCmd prints the JSON Schema.
type SchemaCmd struct{}

// Help explains how editors use the schema.
func (c *SchemaCmd) Help() string {
	return `Save it and point your editor at it, e.g. with the YAML language server put this
first line in a manifest:

  # yaml-language-server: $schema=./runai-sync.schema.json

  runai-sync schema > runai-sync.schema.json`
}

// Run prints the schema.
func (c *SchemaCmd) Run(env *Env) error {
	_, err := env.Stdout.Write(schema.JSON())
	return err
}
