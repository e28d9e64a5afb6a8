// Package atomicfile replaces files so that a crash at any moment leaves
// either the old content or the new, never a mix: the state snapshot, the
// delivered secret files, saved plans and the emulator's data file all
// write through it.
package atomicfile
