package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"sync"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
	"github.com/runai-sync/runai-sync/orgunit"
	"github.com/runai-sync/runai-sync/runai"
)

// readAhead holds the Run:ai reads started while the manifests load: the
// login, the live objects and the org units. What to read is guessed from
// the raw manifest text (guess), which errs towards reading more; once the
// manifests are loaded, a read whose guess matches what they need is used,
// and any other is made again (or not at all).
type readAhead struct {
	cancel  context.CancelFunc
	running sync.WaitGroup // every goroutine it started
	ready   chan struct{}  // closed once the fields below are set
	scope   runai.Scope
	live    *future[[]*diff.Object]
	need    orgunit.Need
	org     *future[*orgunit.Tree]
	roles   *future[[]orgunit.Role] // when some file mentions access rules
}

// future is the result of a read running in the background.
type future[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func goFuture[T any](wg *sync.WaitGroup, f func() (T, error)) *future[T] {
	fu := &future[T]{done: make(chan struct{})}
	wg.Go(func() {
		defer close(fu.done)
		fu.val, fu.err = f()
	})
	return fu
}

// wait returns the result, or ctx's error if it ends first.
func (f *future[T]) wait(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// startReadAhead logs in and starts the reads the manifests under files
// seem to need. With c nil (Run:ai not configured) it does nothing; with
// standard input among the files it only logs in. With locked (apply) it
// does not read the live objects: they must be read once the state's lock
// is held, or another apply could change them unseen in between; org units
// are not changed by runai-sync and are read at once all the same.
func startReadAhead(ctx context.Context, c *runai.Client, files []string, locked bool) *readAhead {
	if c == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	ra := &readAhead{cancel: cancel, ready: make(chan struct{})}
	// The login goes out at once; the guess reads the files meanwhile, off
	// the path of the loader, and then starts the reads.
	ra.running.Go(func() { _ = c.Login(ctx) })
	ra.running.Go(func() {
		defer close(ra.ready)
		g, ok := guess(files)
		if !ok {
			return
		}
		scope, need := g.scope, g.need
		ra.scope, ra.need = scope, need
		if g.roles {
			ra.roles = goFuture(&ra.running, func() ([]orgunit.Role, error) { return c.ListRoles(ctx) })
		}
		if scope != (runai.Scope{}) && !locked {
			p := runai.NewProviderScoped(c, scope)
			ra.live = goFuture(&ra.running, func() ([]*diff.Object, error) { return p.Snapshot(ctx) })
		}
		if need.Any() {
			ra.org = goFuture(&ra.running, func() (*orgunit.Tree, error) { return orgunit.Load(ctx, c, need) })
		}
	})
	return ra
}

// started waits until the guess has started the reads (or ctx ends).
func (ra *readAhead) started(ctx context.Context) error {
	select {
	case <-ra.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop ends the reads still running (for a session that failed or ended)
// and waits for them, so that none logs after the command returns.
func (ra *readAhead) stop() {
	if ra != nil {
		ra.cancel()
		ra.running.Wait()
	}
}

// orgTree is the read-ahead's org tree when it covers need, else nil.
func (ra *readAhead) orgTree(ctx context.Context, need orgunit.Need) (*orgunit.Tree, error) {
	if ra == nil {
		return nil, nil
	}
	if err := ra.started(ctx); err != nil {
		return nil, err
	}
	if ra.org == nil || !ra.need.Covers(need) {
		return nil, nil
	}
	return ra.org.wait(ctx)
}

// roleList is the read-ahead's listing of the roles; found is false when
// it did not read them.
func (ra *readAhead) roleList(ctx context.Context) (roles []orgunit.Role, found bool, err error) {
	if ra == nil {
		return nil, false, nil
	}
	if err := ra.started(ctx); err != nil {
		return nil, true, err
	}
	if ra.roles == nil {
		return nil, false, nil
	}
	roles, err = ra.roles.wait(ctx)
	return roles, true, err
}

// snapshot is the read-ahead's live state of p when it read exactly p's
// scope; found is false otherwise.
func (ra *readAhead) snapshot(ctx context.Context, p provider) (objs []*diff.Object, found bool, err error) {
	rp, isRunai := p.(*runai.Provider)
	if ra == nil || !isRunai {
		return nil, false, nil
	}
	if err := ra.started(ctx); err != nil {
		return nil, true, err
	}
	if ra.live == nil || rp.Scope() != ra.scope {
		return nil, false, nil
	}
	objs, err = ra.live.wait(ctx)
	return objs, true, err
}

// kindPatterns find whether a document declares each Run:ai kind, in YAML
// or JSON (one pattern each: a match is enough, and the first one ends the
// search).
var kindPatterns = func() map[string]*regexp.Regexp {
	m := map[string]*regexp.Regexp{}
	for _, k := range []string{"Credential", "ServiceAccount", "AccessKey"} {
		m[k] = regexp.MustCompile(`kind["']?\s*:\s*["']?` + k + `\b`)
	}
	return m
}()

// guessLimit bounds how much of each file the guess reads.
const guessLimit = 8 << 20

// guess reads the raw manifests and says which Run:ai families and org
// units they seem to need: a superset of ScopeOf and Needs of the loaded
// set, since it looks for words, not fields. ok is false when a file
// cannot be read here (standard input, say): then nothing is guessed.
func guess(paths []string) (g guessed, ok bool) {
	scope, need := &g.scope, &g.need
	for _, p := range paths {
		files, err := manifest.Expand(p)
		if err != nil {
			return g, false
		}
		for _, name := range files {
			if name == "-" {
				return g, false
			}
			data, err := readHead(name)
			if err != nil {
				return g, false
			}
			has := func(w string) bool { return bytes.Contains(data, []byte(w)) }
			// The regular expression only where the word is: a file of
			// credentials would otherwise be scanned whole for each other kind.
			kind := func(k string) bool { return has(k) && kindPatterns[k].Match(data) }
			scope.Credentials = scope.Credentials || has("scope") || kind("Credential")
			scope.ServiceAccounts = scope.ServiceAccounts || has("serviceAccounts") || kind("ServiceAccount")
			scope.AccessRules = scope.ServiceAccounts
			scope.AccessKeys = scope.AccessKeys || has("accessKeys") || kind("AccessKey")
			scope.ForeignAccessKeys = scope.ForeignAccessKeys || has("accessKeys")
			need.Projects = need.Projects || has("project")
			need.Departments = need.Departments || has("department")
			need.Clusters = need.Clusters || has("cluster") || has("project:") || has(`"project"`) || has("department:") || has(`"department"`)
			g.roles = g.roles || has("accessRules")
		}
	}
	g.roles = g.roles && scope.AccessRules
	return g, true
}

// guessed is what the raw manifests seem to need: the Run:ai families,
// the kinds of org unit, and the roles (some account lists access rules).
type guessed struct {
	scope runai.Scope
	need  orgunit.Need
	roles bool
}

// readHead reads the start of a regular file; anything else (a FIFO,
// which could block) is an error: the guess is then given up.
func readHead(name string) ([]byte, error) {
	if info, err := os.Stat(name); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, guessLimit))
}
