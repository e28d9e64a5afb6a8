//go:build race

package main

// raceEnabled: the race detector slows the binary under test, so time
// bounds are scaled.
const raceEnabled = true
