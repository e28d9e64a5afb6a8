package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// forceExitAfter is how long a run may take to end after it was told to
// stop at once before the process exits anyway (a read that blocks, say).
const forceExitAfter = 2 * time.Second

// interrupts turns SIGINT (Ctrl-C) and SIGTERM into the ways a run stops.
//
// While an apply carries out steps (see gentle), the first signal closes
// stop: no new step starts, the steps in flight finish (a started replace
// goes on to its create), state is recorded and the apply reports what was
// and was not done. Otherwise, and on the second signal, the run's context
// is cancelled at once, and if the run has still not ended forceExitAfter
// later (a blocked read, say), the process exits with 1. A third signal
// exits at once.
type interrupts struct {
	stop     chan struct{}
	stopOnce sync.Once
	gentle   atomic.Int32 // applies in their gentle span (tenants apply at once)
	cancel   context.CancelFunc
	stderr   io.Writer
	exit     func(code int)
	signals  chan os.Signal
	done     chan struct{}
}

// watchSignals starts turning signals into stops of the run whose context
// cancel ends; close stops it.
func watchSignals(cancel context.CancelFunc, stderr io.Writer, exit func(int)) *interrupts {
	in := &interrupts{stop: make(chan struct{}), cancel: cancel, stderr: stderr, exit: exit,
		signals: make(chan os.Signal, 3), done: make(chan struct{})}
	signal.Notify(in.signals, os.Interrupt, syscall.SIGTERM)
	go in.loop()
	return in
}

func (in *interrupts) loop() {
	for n := 1; ; n++ {
		select {
		case <-in.done:
			return
		case <-in.signals:
		}
		switch {
		case n == 1 && in.gentle.Load() > 0:
			in.closeStop()
			fmt.Fprintln(in.stderr, "\nInterrupted: no new step starts; the steps in flight finish (a replace started goes on to its create). Interrupt again to stop at once.")
		case n <= 2:
			in.closeStop()
			in.cancel()
			if n == 2 {
				fmt.Fprintln(in.stderr, "\nInterrupted again: stopping now.")
			}
			go func() {
				select {
				case <-in.done:
				case <-time.After(forceExitAfter):
					fmt.Fprintln(in.stderr, "runai-sync: did not stop in time; exiting")
					in.exit(1)
				}
			}()
		default:
			in.exit(1)
		}
	}
}

func (in *interrupts) closeStop() { in.stopOnce.Do(func() { close(in.stop) }) }

// close stops watching signals.
func (in *interrupts) close() {
	signal.Stop(in.signals)
	close(in.done)
}

// gentleStop marks the span where a first signal only stops new steps
// (several applies, of several tenants, may be in theirs at once); it
// returns the channel closed on that signal and the function that ends the
// span. On a nil *interrupts (tests calling run) the channel never closes.
func (in *interrupts) gentleStop() (<-chan struct{}, func()) {
	if in == nil {
		return nil, func() {}
	}
	in.gentle.Add(1)
	var once sync.Once
	return in.stop, func() { once.Do(func() { in.gentle.Add(-1) }) }
}
