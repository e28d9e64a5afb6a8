package apply

import (
	"context"
	"fmt"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Provider carries out the steps of a plan for the objects it owns (those
// whose Object.Provider is its Name).
type Provider interface {
	// Name is the provider name objects carry ("runai", "seqera").
	Name() string
	// Do carries out one step: for diff.PhaseDelete it deletes
	// step.Change.Live; for diff.PhaseCreate it creates step.Change.Desired
	// (Create, Replace) or updates the live object in place (Update). in
	// gives the outputs of earlier steps, for fields that take a value from
	// another resource. A step whose object turns out to be in the wanted
	// state already (a create whose reply was lost, then 409; a delete whose
	// reply was lost, then 404) succeeds.
	Do(ctx context.Context, step diff.Step, in Inputs) (Result, error)
}

// Waiter is implemented by providers whose objects keep syncing after the
// API answered (Run:ai credentials move from Creating to "No issues found").
type Waiter interface {
	// Wait polls until every object of changes has synced or failed, or ctx
	// ends; it reports each status as it settles.
	Wait(ctx context.Context, changes []*diff.Change, report func(key manifest.Key, status string, failed bool)) error
}

// Result is what a step produced.
type Result struct {
	// ID is the id of the object after the step ("" after a delete).
	ID string
	// Outputs are values the object produced that other resources may take:
	// "clientId" and "clientSecret" of a service account or access key.
	Outputs map[string]manifest.Secret
}

// Inputs gives the outputs of earlier steps of the same apply.
type Inputs interface {
	// Output returns the named output of the resource with key k, if an
	// earlier step produced it.
	Output(k manifest.Key, field string) (manifest.Secret, bool)
}

// Live returns the live object a step of ch acts on (op names the step:
// "update", "delete"). A plan without one, such as a saved plan edited by
// hand, is an error, never a panic.
func Live(ch *diff.Change, op string) (*diff.Object, error) {
	if ch.Live == nil || ch.Live.ID == "" {
		return nil, fmt.Errorf("the plan holds no live object to %s", op)
	}
	return ch.Live, nil
}

// Desired returns the desired object a step of ch acts on (op names the
// step: "create", "update"). Providers build their requests from what it
// holds (Key, Attrs, Secrets, Settings), never from a manifest. A plan
// without one is an error, never a panic.
func Desired(ch *diff.Change, op string) (*diff.Object, error) {
	if ch.Desired == nil {
		return nil, fmt.Errorf("the plan holds no desired object to %s", op)
	}
	return ch.Desired, nil
}

// DesiredSecret sets o.Secrets[path] to the plan's model of the secret
// field f of res: the value resolved now (a literal, fromEnv or fromFile),
// or the output of another resource, which an earlier step of the apply
// produces (the kind levels of diff order service accounts and access keys
// before what takes their secrets).
func DesiredSecret(o *diff.Object, path string, res manifest.Resource, f manifest.SecretField, r manifest.Resolver) *manifest.Diagnostic {
	if o.Secrets == nil {
		o.Secrets = map[string]diff.SecretAttr{}
	}
	attr := diff.SecretAttr{Source: f.Ref.Source()}
	var d *manifest.Diagnostic
	if kind, out := f.Ref.Output(); out != nil {
		attr.Output = &diff.OutputRef{Key: manifest.Key{Kind: kind, Name: out.Name}, Field: out.Field}
	} else {
		attr.Value, d = r.ResolveField(res, f)
	}
	o.Secrets[path] = attr
	return d
}

// SecretValue is the value of the secret at path of d, for a request: the
// one resolved before the apply, or the output an earlier step produced.
func SecretValue(d *diff.Object, path string, in Inputs) (string, error) {
	a, ok := d.Secrets[path]
	if !ok {
		return "", fmt.Errorf("%s: the plan holds no value for it", path)
	}
	if out := a.Output; out != nil {
		var v manifest.Secret
		found := false
		if in != nil {
			v, found = in.Output(out.Key, out.Field)
		}
		if !found || v.IsZero() {
			return "", fmt.Errorf("%s takes the %s of %s, which no earlier step of this apply produced", path, out.Field, out.Key)
		}
		return v.Reveal(), nil
	}
	if a.Value.IsZero() {
		return "", fmt.Errorf("%s (%s) has no value: resolve it before applying", path, a.Source)
	}
	return a.Value.Reveal(), nil
}
