//go:build unix && !linux

package state

import (
	"errors"
	"syscall"
)

// pidAlive reports whether a process with this pid exists.
func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// procStartTicks is unknown here.
func procStartTicks(int) (uint64, bool) { return 0, false }

// bootID is unknown here.
func bootID() string { return "" }

// pidNamespace is unknown here.
func pidNamespace() string { return "" }
