package main

import (
	"github.com/alecthomas/kong"
)

// HelpCmd prints the help of a command, as --help after it does.
type HelpCmd struct {
	Command []string `arg:"" optional:"" help:"The command, e.g. apply or state unlock."`
}

// Run prints the help of the command named, or of runai-sync.
func (c *HelpCmd) Run(k *kong.Context) error {
	ctx, err := kong.Trace(k.Kong, c.Command)
	if err != nil {
		return err
	}
	if ctx.Error != nil {
		return ctx.Error
	}
	return ctx.PrintUsage(false)
}
