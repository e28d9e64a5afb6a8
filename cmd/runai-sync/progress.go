package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
)

// progress shows an apply as it runs: on a terminal a live status line
// (done/total, in flight, elapsed) under the finished steps; otherwise one
// plain line per finished step.
type progress struct {
	env    *Env
	mu     sync.Mutex
	status string
	green  func(string) string
	red    func(string) string
}

func newProgress(env *Env) *progress {
	return &progress{env: env, green: env.colorize(color.FgGreen), red: env.colorize(color.FgRed)}
}

// Event implements apply.Observer.
func (p *progress) Event(e apply.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var line string
	switch e.Type {
	case apply.StepDone:
		verb := pastVerb(e.Step)
		if e.DryRun {
			verb = "would " + e.Step.Verb()
		}
		line = p.green(verb) + " " + e.Step.Change.Key.String()
		if e.ID != "" && e.Step.Phase == diff.PhaseCreate && !e.DryRun {
			line += fmt.Sprintf(" (id %s)", e.ID)
		}
		if !e.DryRun {
			line += " in " + tookString(e.Took)
		}
	case apply.StepFailed:
		line = p.red("failed") + fmt.Sprintf(" %v", e.Err)
	case apply.Synced:
		if e.Err != nil {
			line = p.red("not synced") + fmt.Sprintf(" %s: %s", e.Key, e.Status)
		} else {
			line = p.green("synced") + fmt.Sprintf(" %s: %s", e.Key, e.Status)
		}
	}
	if p.env.Terminal {
		p.clear()
		if line != "" {
			fmt.Fprintln(p.env.Stdout, line)
		}
		p.status = fmt.Sprintf("[%d/%d] %d in flight, %v", e.Done+e.Failed, e.Total, e.InFlight, e.Elapsed.Round(100*time.Millisecond))
		fmt.Fprint(p.env.Stdout, p.status)
		return
	}
	if line != "" {
		fmt.Fprintln(p.env.Stdout, line)
	}
}

func (p *progress) clear() {
	if p.status != "" {
		fmt.Fprint(p.env.Stdout, "\r"+strings.Repeat(" ", len(p.status))+"\r")
		p.status = ""
	}
}

// finish removes the live line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.env.Terminal {
		p.clear()
	}
}

func pastVerb(s diff.Step) string {
	return map[string]string{"delete": "deleted", "update": "updated", "create": "created"}[s.Verb()]
}

// tookString shows a step's duration: "<1ms", "35ms", "1.2s".
func tookString(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return humanDuration(d).String()
}
