package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/runai-sync/runai-sync/emulator"
)

// EmulatorCmd serves the emulated Run:ai and Seqera API.
type EmulatorCmd struct {
	Addr              string        `default:"127.0.0.1:8080" help:"Address to listen on; loopback unless told otherwise (port 0 picks a free port)."`
	Data              string        `placeholder:"FILE" help:"Keep the emulated state in this JSON file (written atomically) so it survives a restart."`
	Latency           time.Duration `placeholder:"D" help:"Add this latency to every request, e.g. 20ms."`
	FailRate          float64       `placeholder:"F" help:"Answer this fraction of requests 503 without effect, e.g. 0.2."`
	LostRate          float64       `placeholder:"F" help:"Carry out this fraction of changes, then answer 503 (a lost reply)."`
	RateLimit         int           `placeholder:"N" help:"Answer 429 with Retry-After above N requests per second."`
	Seed              int64         `placeholder:"N" help:"Make faults and generated ids repeat exactly for this seed."`
	SyncDelay         time.Duration `placeholder:"D" help:"Time a credential stays Creating/Updating before 'No issues found'."`
	DeleteDelay       time.Duration `placeholder:"D" help:"Time a deleted credential stays listed as Deleting, its name taken (a create of it meets 409), as on a real tenant; 0 deletes at once."`
	SeqeraShape       string        `enum:"current,seed" default:"current" help:"Reply shape of Seqera create: current ({\"credentialsId\"}) or seed ({\"credentials\"})."`
	SeqeraNoKeys      bool          `name:"seqera-no-keys" help:"Seqera replies carry no keys, as the seed's GET replies do (runai-sync then compares non-secret keys through its state)."`
	ValidateResponses bool          `help:"Validate every response against the OpenAPI spec and log violations (slower)."`
	Org               string        `type:"existingfile" placeholder:"FILE" help:"Serve the organisation (clusters, departments, projects) of this YAML or JSON file instead of the default one."`
}

// Help explains what the emulator is for.
func (c *EmulatorCmd) Help() string {
	return `The emulator serves the Run:ai credentials, service account, access key and token
API and the Seqera credentials API, following the vendor's OpenAPI document: every
request is validated and a bad one gets a 400 saying what is wrong. Use it to try
runai-sync, or to test your manifests in CI, without a tenant.

It prints the lines to paste into a shell first:

  runai-sync emulator --addr 127.0.0.1:8080 &
  export RUNAI_BASE_URL=http://127.0.0.1:8080 ...

It knows cluster gpu-cluster-1, departments default (1) and research (2), and
projects sandbox (7), team-a (12) and team-b (13); Seqera workspaces 1001 and 1002.
--org FILE serves another tree, e.g. for tests with many projects:

  clusters:    [{uuid: 4f7ab1d2-3c5e-4b8a-9d10-1e2f3a4b5c6d, name: gpu-a}]
  departments: [{id: "1", name: research, clusterId: 4f7ab1d2-3c5e-4b8a-9d10-1e2f3a4b5c6d}]
  projects:    [{id: "12", name: team-a, parentId: "1", clusterId: 4f7ab1d2-3c5e-4b8a-9d10-1e2f3a4b5c6d}]

Like a real tenant, a PUT without a description keeps it (null clears it), and
with --delete-delay a deleted credential stays Deleting, its name taken, a while.
Admin endpoints under /_emulator/ (see the emulator package docs) mark credentials
as in use, force a sync status, count requests (GET /_emulator/stats) and report
how long deleted names stayed absent (GET /_emulator/absences).`
}

// Run serves until interrupted.
func (c *EmulatorCmd) Run(ctx context.Context, env *Env) error {
	return c.serve(ctx, env, nil)
}

// serve runs the emulator until ctx ends; ready, if set, receives its URL.
func (c *EmulatorCmd) serve(ctx context.Context, env *Env, ready func(url string)) error {
	opts := emulator.Options{
		Addr: c.Addr, DataFile: c.Data, Latency: c.Latency, FailRate: c.FailRate, LostRate: c.LostRate,
		RateLimit: c.RateLimit, Seed: c.Seed, SyncDelay: c.SyncDelay, DeleteDelay: c.DeleteDelay, SeqeraShape: c.SeqeraShape,
		SeqeraNoKeys: c.SeqeraNoKeys, ValidateResponses: c.ValidateResponses, OrgFile: c.Org,
	}
	if env.Verbose > 0 {
		opts.Logf = func(format string, args ...any) { fmt.Fprintf(env.Stderr, format+"\n", args...) }
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	l, err := srv.Listen()
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	url := "http://" + l.Addr().String()
	for _, line := range srv.EnvLines(url) {
		fmt.Fprintln(unredacted(env.Stdout), line) // the point of them
	}
	fmt.Fprintf(env.Stderr, "runai-sync emulator serving the Run:ai API at %s and Seqera at %s/api; Ctrl-C stops it\n", url, url)
	if ready != nil {
		ready(url)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err = <-done:
	case <-ctx.Done():
	}
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if violations := srv.ResponseViolations(); len(violations) > 0 {
		for _, v := range violations {
			fmt.Fprintln(env.Stderr, "response violates the spec:", v)
		}
	}
	return err
}
