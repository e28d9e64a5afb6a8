package apply

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/resource"
)

// Options control an apply.
type Options struct {
	// Parallelism bounds the steps in flight at once; default 8.
	Parallelism int
	// DryRun walks the same steps in the same order without calling any
	// provider, so the preview is exactly what would run.
	DryRun bool
	// Wait polls the providers that implement Waiter until what the apply
	// created or updated has synced, for at most WaitTimeout.
	Wait        bool
	WaitTimeout time.Duration
	// Stop, when closed, interrupts the apply gently (a first Ctrl-C): no
	// new unit starts, and the units in flight finish, a started replace
	// with its create. Ending ctx instead stops at once (a second Ctrl-C):
	// the requests in flight are cancelled. Nil never stops.
	Stop <-chan struct{}
	// Observer receives progress events; it may be nil.
	Observer Observer
	// Recorder is told of every step that succeeded before the step counts
	// as done (state is saved there); an error from it stops the apply.
	Recorder Recorder
	// Now is the clock for elapsed times; default time.Now.
	Now func() time.Time
}

// Recorder keeps what the apply did, step by step. Apply never calls it
// from two goroutines at once.
type Recorder interface {
	Record(step diff.Step, res Result) error
}

// Intender is a Recorder that also hears, before it runs, of a step that
// will generate a one-time secret, so that a crash between the API call and
// Record still leaves a trace for the next run.
type Intender interface {
	Intend(step diff.Step) error
}

// StepError is a step that failed, naming its subject.
type StepError struct {
	Step diff.Step
	Err  error
}

func (e *StepError) Error() string {
	var named interface{ Subject() resource.Key }
	if errors.As(e.Err, &named) && named.Subject() == e.Step.Change.Key {
		return e.Err.Error() // it names the object and the operation already
	}
	return fmt.Sprintf("%s: %s failed: %v", e.Step.Change.Key, e.Step.Verb(), e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// Report says what an apply did and did not do.
type Report struct {
	// Done lists the steps that succeeded, in the order they ended.
	Done []diff.Step
	// Failed lists the steps that failed (a step cut short by Ctrl-C is
	// here too, with the context's error: it may or may not have reached
	// the API; the next run converges either way).
	Failed []*StepError
	// NotAttempted lists the steps that never started.
	NotAttempted []diff.Step
	// WaitErr is the error of waiting for sync, if any.
	WaitErr error
	// Interrupted is set when Options.Stop or the context ended the apply
	// before everything was done.
	Interrupted bool
	// Elapsed is the wall time of the apply.
	Elapsed time.Duration
}

// OK reports whether everything was done.
func (r *Report) OK() bool { return len(r.Failed) == 0 && len(r.NotAttempted) == 0 && r.WaitErr == nil }

// Err sums up a failed apply as one error.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	errs := make([]error, 0, len(r.Failed)+1)
	for _, f := range r.Failed {
		errs = append(errs, f)
	}
	if r.WaitErr != nil {
		errs = append(errs, r.WaitErr)
	}
	if len(errs) == 0 {
		errs = append(errs, errors.New("interrupted"))
	}
	return errors.Join(errs...)
}

// Run carries out the plan: wave by wave (see diff.Plan.Waves), the units
// of a wave in parallel, the steps of a unit in order. After a failure or
// an interruption (Options.Stop) it starts no new unit, lets the ones in
// flight end (a started replace goes on to its create, so that no object
// is left deleted and not created again), and reports the rest as not
// attempted. Ending ctx cancels the steps in flight too. With
// Options.Wait, and when everything was done, it then waits for sync,
// also of unchanged objects still syncing. A plan with refusals is not
// run at all.
func Run(ctx context.Context, plan *diff.Plan, providers []Provider, opts Options) (*Report, error) {
	if plan.Refused() {
		return nil, errors.New("the plan has refusals; nothing was applied")
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = 8
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	byName := map[string]Provider{}
	for _, p := range providers {
		byName[p.Name()] = p
	}
	waves := plan.Waves()
	total := 0
	for _, w := range waves {
		for _, u := range w {
			total += len(u)
			if c := u[0].Change; byName[c.Provider] == nil && !opts.DryRun {
				return nil, fmt.Errorf("%s: no provider %q is configured", c.Key, c.Provider)
			}
		}
	}
	r := &runner{opts: opts, providers: byName, outputs: newOutputs(plan), report: &Report{}, total: total, start: opts.Now()}
	for i, wave := range waves {
		if r.stopped(ctx) {
			for _, w := range waves[i:] {
				r.notAttempted(w...)
			}
			break
		}
		r.runWave(ctx, wave)
	}
	r.report.Interrupted = (len(r.report.NotAttempted) > 0 || len(r.report.Failed) > 0) && r.interrupted(ctx)
	if opts.Wait && !opts.DryRun && r.report.OK() {
		r.wait(ctx, plan)
	}
	r.report.Elapsed = opts.Now().Sub(r.start)
	return r.report, nil
}

type runner struct {
	opts      Options
	providers map[string]Provider
	outputs   *outputs
	total     int
	start     time.Time

	recordMu sync.Mutex // serialises Recorder calls

	mu       sync.Mutex
	report   *Report
	inFlight int
	failed   bool
}

// interrupted reports whether Options.Stop is closed or ctx ended.
func (r *runner) interrupted(ctx context.Context) bool {
	select {
	case <-r.opts.Stop:
		return true
	default:
		return ctx.Err() != nil
	}
}

// stopped reports whether no new unit may start: a step failed, or the
// apply was interrupted.
func (r *runner) stopped(ctx context.Context) bool {
	r.mu.Lock()
	failed := r.failed
	r.mu.Unlock()
	return failed || r.interrupted(ctx)
}

// notAttempted reports the steps of units that never started.
func (r *runner) notAttempted(units ...diff.Unit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, u := range units {
		r.report.NotAttempted = append(r.report.NotAttempted, u...)
	}
}

func (r *runner) runWave(ctx context.Context, wave []diff.Unit) {
	sem := make(chan struct{}, r.opts.Parallelism)
	var wg sync.WaitGroup
	for i, unit := range wave {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		case <-r.opts.Stop:
		}
		if r.stopped(ctx) {
			r.notAttempted(wave[i:]...)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.runUnit(ctx, unit, func() { <-sem })
		}()
	}
	wg.Wait()
}

// runUnit carries out the steps of a unit in order, holding one slot of
// Parallelism for the unit's API calls. Once started, a unit runs to its
// end whatever happens elsewhere (failures of other units, Options.Stop):
// only ctx ending, or a failed step of its own, ends it early, and the
// steps left are reported as not attempted.
func (r *runner) runUnit(ctx context.Context, unit diff.Unit, release func()) {
	for i, step := range unit {
		last := i == len(unit)-1
		if i > 0 && ctx.Err() != nil {
			release()
			r.notAttempted(unit[i:])
			return
		}
		r.event(Event{Type: StepStarted, Step: step})
		// The slot bounds the calls to the API; recording the result of
		// the last step in the state does not hold it, so a slow disk
		// never idles the API.
		rel := func() {}
		if last {
			rel = release
		}
		if !r.runStep(ctx, step, rel) {
			if !last {
				release()
				r.notAttempted(unit[i+1:])
			}
			return
		}
	}
}

// runStep carries out one step and reports whether it succeeded; it calls
// release once the API call is over.
func (r *runner) runStep(ctx context.Context, step diff.Step, release func()) bool {
	began := r.opts.Now()
	var res Result
	err := r.intend(step)
	if err == nil {
		res, err = r.do(ctx, step)
	}
	// With a state to write, the next call need not wait for the disk; with
	// none, the slot is kept until the event, so that a dry run with
	// parallelism 1 reports the steps in their order.
	recording := r.opts.Recorder != nil && !r.opts.DryRun
	if recording {
		release()
	} else {
		defer release()
	}
	if err == nil && recording {
		r.recordMu.Lock()
		rerr := r.opts.Recorder.Record(step, res)
		r.recordMu.Unlock()
		if rerr != nil {
			err = fmt.Errorf("done, but recording it in the state failed: %w", rerr)
		}
	}
	took := r.opts.Now().Sub(began)
	r.mu.Lock()
	if err != nil {
		se := &StepError{Step: step, Err: err}
		r.report.Failed = append(r.report.Failed, se)
		r.failed = true
		r.mu.Unlock()
		r.event(Event{Type: StepFailed, Step: step, Err: se, Took: took})
		return false
	}
	r.report.Done = append(r.report.Done, step)
	r.mu.Unlock()
	r.outputs.set(step.Change.Key, res.Outputs)
	r.event(Event{Type: StepDone, Step: step, ID: res.ID, Took: took})
	return true
}

// intend tells an Intender of a step that generates a one-time secret.
func (r *runner) intend(step diff.Step) error {
	in, ok := r.opts.Recorder.(Intender)
	if !ok || r.opts.DryRun || step.Phase != diff.PhaseCreate || !step.Change.Regenerate {
		return nil
	}
	r.recordMu.Lock()
	defer r.recordMu.Unlock()
	if err := in.Intend(step); err != nil {
		return fmt.Errorf("not started: recording the intent in the state failed: %w", err)
	}
	return nil
}

func (r *runner) do(ctx context.Context, step diff.Step) (Result, error) {
	if r.opts.DryRun {
		return Result{ID: step.Change.ID}, nil
	}
	return r.providers[step.Change.Provider].Do(ctx, step, r.outputs)
}

// wait lets each Waiter watch what it created or updated.
func (r *runner) wait(ctx context.Context, plan *diff.Plan) {
	if r.opts.WaitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.opts.WaitTimeout)
		defer cancel()
	}
	byProvider := map[string][]*diff.Change{}
	for _, c := range plan.Changes {
		if c.Action != diff.Delete && r.providers[c.Provider] != nil {
			byProvider[c.Provider] = append(byProvider[c.Provider], c)
		}
	}
	var errs []error
	for name, changes := range byProvider {
		w, ok := r.providers[name].(Waiter)
		if !ok {
			continue
		}
		err := w.Wait(ctx, changes, func(k resource.Key, status string, failed bool) {
			r.event(Event{Type: Synced, Key: k, Status: status, Err: errIf(failed, status)})
		})
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("still not synced after %v (--wait-timeout): %w", r.opts.WaitTimeout, err)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	r.report.WaitErr = errors.Join(errs...)
}

func errIf(failed bool, status string) error {
	if failed {
		return errors.New(status)
	}
	return nil
}

func (r *runner) event(e Event) {
	if r.opts.Observer == nil {
		return
	}
	r.mu.Lock()
	switch e.Type {
	case StepStarted:
		r.inFlight++
	case StepDone, StepFailed:
		r.inFlight--
	}
	e.Done, e.Failed, e.Total, e.InFlight = len(r.report.Done), len(r.report.Failed), r.total, r.inFlight
	e.Elapsed = r.opts.Now().Sub(r.start)
	e.DryRun = r.opts.DryRun
	r.mu.Unlock()
	r.opts.Observer.Event(e)
}

// outputs holds what steps produced, for the steps that take it; it starts
// with what live objects show at any time (a service account's client id).
type outputs struct {
	mu   sync.Mutex
	vals map[resource.Key]map[string]resource.Secret
}

func newOutputs(plan *diff.Plan) *outputs {
	o := &outputs{vals: map[resource.Key]map[string]resource.Secret{}}
	for _, c := range plan.Changes {
		if c.Live != nil {
			for f, v := range c.Live.Outputs {
				o.setOne(c.Key, f, v)
			}
		}
	}
	return o
}

func (o *outputs) set(k resource.Key, vals map[string]resource.Secret) {
	for f, v := range vals {
		o.setOne(k, f, v)
	}
}

func (o *outputs) setOne(k resource.Key, field string, v resource.Secret) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.vals[k] == nil {
		o.vals[k] = map[string]resource.Secret{}
	}
	o.vals[k][field] = v
}

// Output implements Inputs.
func (o *outputs) Output(k resource.Key, field string) (resource.Secret, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.vals[k][field]
	return v, ok
}
