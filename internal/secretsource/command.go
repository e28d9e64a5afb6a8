package secretsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/runai-sync/runai-sync/manifest"
)

// Limits of a fromCommand program.
const (
	// MaxOutput is the most standard output a program may print.
	MaxOutput = 1 << 20
	// stderrTail is how much of the end of standard error is kept, and
	// stderrShown how much of it a failure shows.
	stderrTail  = 4 << 10
	stderrShown = 400
	// waitDelay bounds the wait for a killed program's pipes (a child it
	// left behind may hold them).
	waitDelay = time.Second
)

type commandResult struct {
	once sync.Once
	v    manifest.Secret
	err  error
}

// Command implements manifest.Sources: it runs c once per run (identical
// commands share the run) and returns its standard output, one trailing
// newline removed.
func (s *Sources) Command(c manifest.CommandRef) (manifest.Secret, error) {
	if err := s.CheckCommand(c); err != nil {
		return manifest.Secret{}, err
	}
	key := strings.Join(c.Command, "\x00")
	s.mu.Lock()
	r := s.commands[key]
	if r == nil {
		r = &commandResult{}
		s.commands[key] = r
	}
	s.mu.Unlock()
	r.once.Do(func() { r.v, r.err = run(c) })
	return r.v, r.err
}

// run runs the program without a shell, with no standard input, bounded by
// its timeout. Its standard output is the value and never shown; a failure
// shows the exit status and the end of standard error, with anything the
// program printed on standard output scrubbed from it.
func run(c manifest.CommandRef) (manifest.Secret, error) {
	name := c.Name()
	timeout, err := c.Duration()
	if err != nil {
		return manifest.Secret{}, err
	}
	path, err := exec.LookPath(name)
	switch {
	case errors.Is(err, exec.ErrDot):
		return manifest.Secret{}, fmt.Errorf("command %s is found only in the working directory; write it as ./%s (and allow that)", name, name)
	case err != nil:
		return manifest.Secret{}, fmt.Errorf("command %s not found: install it, or give its full path (and allow that)", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, c.Command[1:]...)
	cmd.Args[0] = name
	cmd.WaitDelay = waitDelay
	stdout := &limitedBuffer{limit: MaxOutput}
	stderr := &tailBuffer{limit: stderrTail}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	out := stdout.buf.String()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return manifest.Secret{}, fmt.Errorf("command %s timed out after %s%s", name, timeout, stderr.shown(out))
	case errors.As(err, &exitErr):
		return manifest.Secret{}, fmt.Errorf("command %s failed (%s)%s", name, exitErr.ProcessState, stderr.shown(out))
	case err != nil && stdout.over:
		return manifest.Secret{}, fmt.Errorf("command %s printed more than %d MiB", name, MaxOutput>>20)
	case err != nil:
		return manifest.Secret{}, fmt.Errorf("command %s could not run: %v", name, err)
	case stdout.over:
		return manifest.Secret{}, fmt.Errorf("command %s printed more than %d MiB", name, MaxOutput>>20)
	}
	out = strings.TrimSuffix(strings.TrimSuffix(out, "\n"), "\r")
	switch {
	case out == "":
		return manifest.Secret{}, fmt.Errorf("command %s printed nothing on standard output%s", name, stderr.shown(""))
	case !utf8.ValidString(out):
		return manifest.Secret{}, fmt.Errorf("command %s printed bytes that are not UTF-8 text", name)
	}
	return manifest.NewSecret(out), nil
}

// limitedBuffer keeps the first limit bytes and notes more.
type limitedBuffer struct {
	buf   bytes.Buffer
	limit int
	over  bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); len(p) > room {
		b.buf.Write(p[:max(room, 0)])
		b.over = true
		return 0, errors.New("output too large")
	}
	return b.buf.Write(p)
}

// tailBuffer keeps the last limit bytes written.
type tailBuffer struct {
	buf   []byte
	limit int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.limit; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

// shown is the end of standard error for a message: ": standard error
// ends: ...", on one line, control characters dropped, with the program's
// standard output (whole and line by line) replaced by the redaction
// marker, since a failing program may echo its value there too.
func (b *tailBuffer) shown(stdout string) string {
	text := strings.ToValidUTF8(string(b.buf), "?")
	for _, s := range scrubbed(stdout) {
		text = strings.ReplaceAll(text, s, manifest.Redacted)
	}
	lines := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' })
	for i, l := range lines {
		lines[i] = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, strings.TrimSpace(l))
	}
	text = strings.Join(slicesNonEmpty(lines), " / ")
	if text == "" {
		return ""
	}
	if len(text) > stderrShown {
		text = "…" + strings.ToValidUTF8(text[len(text)-stderrShown:], "")
	}
	return "; its standard error ends: " + text
}

// scrubbed lists what to remove from standard error: the whole output
// and each of its lines of 4 characters or more, longest first.
func scrubbed(stdout string) []string {
	var out []string
	if s := strings.TrimSpace(stdout); s != "" {
		out = append(out, s)
	}
	for l := range strings.Lines(stdout) {
		if l = strings.TrimSpace(l); len(l) >= 4 {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

func slicesNonEmpty(s []string) []string {
	out := s[:0]
	for _, e := range s {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}
