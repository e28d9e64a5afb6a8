package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runai-sync/runai-sync/apply"
	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

func TestProgressOnATerminal(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&Env{Stdout: &out, Terminal: true})
	c := &diff.Change{Action: diff.Create, Key: manifest.Key{Kind: manifest.KindCredential, Type: "password", Scope: "project", ScopeID: "12", Name: "a"}}
	step := diff.Step{Phase: diff.PhaseCreate, Change: c}
	p.Event(apply.Event{Type: apply.StepStarted, Step: step, Total: 2, InFlight: 1, Elapsed: 100 * time.Millisecond})
	p.Event(apply.Event{Type: apply.StepDone, Step: step, ID: "id-1", Took: 5 * time.Millisecond, Done: 1, Total: 2, Elapsed: 300 * time.Millisecond})
	p.Event(apply.Event{Type: apply.StepFailed, Step: step, Err: errors.New("boom"), Done: 1, Failed: 1, Total: 2, Elapsed: 400 * time.Millisecond})
	p.finish()
	got := out.String()
	for _, want := range []string{"[0/2] 1 in flight, 100ms", "\rcreated Credential password a (project 12) (id id-1) in 5ms\n", "[1/2] 0 in flight, 300ms", "failed boom\n", "[2/2] 0 in flight, 400ms"} {
		if !strings.Contains(strings.ReplaceAll(got, strings.Repeat(" ", 24)+"\r", ""), want) {
			t.Errorf("terminal progress lacks %q:\n%q", want, got)
		}
	}
	if !strings.HasSuffix(got, "\r") {
		t.Errorf("finish should clear the live line: %q", got)
	}
}

func TestProgressWithoutATerminal(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&Env{Stdout: &out})
	c := &diff.Change{Action: diff.Delete, Key: manifest.Key{Kind: manifest.KindServiceAccount, Name: "ci"}}
	p.Event(apply.Event{Type: apply.StepStarted, Step: diff.Step{Phase: diff.PhaseDelete, Change: c}})
	p.Event(apply.Event{Type: apply.StepDone, Step: diff.Step{Phase: diff.PhaseDelete, Change: c}, Took: time.Millisecond})
	if got, want := out.String(), "deleted ServiceAccount ci in 1ms\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
