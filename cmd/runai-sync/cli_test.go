package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFrom(t *testing.T) {
	vcs := func(rev, modified string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}
		bi.Settings = []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
		return bi
	}
	for _, tc := range []struct {
		name, override string
		bi             *debug.BuildInfo
		want           string
	}{
		{"-ldflags wins", "v1.4.0-3-gabc1234", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.4.0-3-gabc1234"},
		{"go install @version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{"a checkout", "", vcs("0123456789abcdef0123", "false"), "devel-0123456789ab"},
		{"a checkout with changes", "", vcs("0123456789abcdef0123", "true"), "devel-0123456789ab-dirty"},
		{"nothing known", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"no build info", "", nil, "dev"},
	} {
		if got := versionFrom(tc.override, tc.bi); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The confirmation question goes to standard error, so that it shows when
// standard output is redirected (apply > log).
func TestConfirmAsksOnStandardError(t *testing.T) {
	for answer, wantErr := range map[string]bool{"yes\n": false, "no\n": true, "": true} {
		var out, errOut bytes.Buffer
		env := &Env{Stdin: strings.NewReader(answer), Stdout: &out, Stderr: &errOut, StdinTerminal: true}
		err := confirm(env)
		if (err != nil) != wantErr {
			t.Errorf("answer %q: %v", answer, err)
		}
		if out.Len() != 0 || !strings.Contains(errOut.String(), "Apply these changes? Only 'yes' proceeds:") {
			t.Errorf("answer %q: stdout %q, stderr %q", answer, out.String(), errOut.String())
		}
	}
}

func TestColourOnlyOnCapableTerminals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		terminal bool
		vars     map[string]string
		noColor  bool
		want     bool
	}{
		{"terminal", true, map[string]string{"TERM": "xterm-256color"}, false, true},
		{"TERM=dumb", true, map[string]string{"TERM": "dumb"}, false, false},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false, false},
		{"--no-color", true, nil, true, false},
		{"not a terminal", false, nil, false, false},
	} {
		env := &Env{Terminal: tc.terminal, Getenv: func(k string) string { return tc.vars[k] }}
		env.setGlobals(&Globals{NoColor: tc.noColor})
		if env.Color != tc.want {
			t.Errorf("%s: colour %v, want %v", tc.name, env.Color, tc.want)
		}
	}
}
