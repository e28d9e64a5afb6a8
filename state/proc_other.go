//go:build !unix

package state

// pidAlive cannot tell here, so a holder is never judged stale: a lock left
// by a dead holder needs runai-sync state unlock.
func pidAlive(int) bool { return true }

// procStartTicks is unknown here.
func procStartTicks(int) (uint64, bool) { return 0, false }

// bootID is unknown here.
func bootID() string { return "" }

// pidNamespace is unknown here.
func pidNamespace() string { return "" }
