package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
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

// gcPercent is the garbage collector's target when GOGC is not set. A
// run's heap is mostly its inputs (manifests, live objects, the state),
// alive until it ends, so the default of 100 collects often for little:
// 200 costs a bounded share more peak memory (137 to 151 MiB for a plan of
// 10,000 credentials, 264 to 299 MiB to validate 100,000 documents) for
// about a fifth less CPU (BENCHMARKS.md). GOGC, when set, decides.
const gcPercent = 200

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
