//go:build race

package manifest_test

// raceEnabled: the race detector slows the byte-by-byte YAML scanner by up
// to ten times, so time bounds are scaled (make test also runs the hostile
// input tests without it, at the real bound).
const raceEnabled = true
