package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes a CPU profile to $RUNAI_SYNC_CPUPROFILE and a heap
// profile to $RUNAI_SYNC_MEMPROFILE when they are set: for finding where a
// slow or large run spends (BENCHMARKS.md tells how). The returned function
// ends the profiles.
func startProfiles() func() {
	var stops []func()
	if path := os.Getenv("RUNAI_SYNC_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		} else {
			fmt.Fprintln(os.Stderr, "runai-sync: cannot write the CPU profile:", err)
		}
	}
	if path := os.Getenv("RUNAI_SYNC_MEMPROFILE"); path != "" {
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, "runai-sync: cannot write the heap profile:", err)
				return
			}
			defer f.Close()
			runtime.GC()
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
		})
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}
