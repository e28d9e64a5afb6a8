package diff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/resource"
)

// TestComputeRecorded: the records are an input. Live objects are compared
// as the records show them (fingerprints, a rotation marker, undelivered
// dependents), desired secrets are fingerprinted by Sum, and no object the
// caller gave is changed: a change's Live is a copy where a record added to
// it.
func TestComputeRecorded(t *testing.T) {
	sum := func(v resource.Secret) string { return "fp:" + v.Reveal() }
	pw := func(o *Object, v string) *Object {
		o.Secrets = map[string]SecretAttr{"spec.password": {Source: "env PW", Value: resource.NewSecret(v)}}
		return o
	}
	account := func() *Object { o := sa("ci-a"); o.Attrs["spec.rotation"] = `"r2"`; return o }
	login := needs(cred("login"), "spec.keyValuePairs.S", "clientSecret", sa("ci-a").Key)
	desired := []*Object{pw(cred("a"), "new"), pw(cred("b"), "same"), account(), login}
	liveA, liveB, liveSA0, liveLogin := live(cred("a"), "1"), live(cred("b"), "2"), liveSA(sa("ci-a")), live(cred("login"), "3")
	lives := []*Object{liveA, liveB, liveSA0, liveLogin}
	rec := Recorded{Sum: sum, Records: map[resource.Key]Record{
		liveA.Key:   {Fingerprints: map[string]string{"spec.password": "fp:old"}},
		liveB.Key:   {Fingerprints: map[string]string{"spec.password": "fp:same"}},
		liveSA0.Key: {Attrs: map[string]string{"spec.rotation": `"r1"`}, Undelivered: []resource.Key{login.Key}},
	}}
	p := ComputeRecorded(desired, lives, rec, owns{}, Options{})
	want := []string{
		"update ci-a +regenerate [spec.rotation]: spec.rotation (the secret is regenerated) changed; the secret an earlier apply generated never reached Credential password login (project 12): it is generated and delivered again",
		"replace a [spec.password]: secret value changed (spec.password)",
		"replace login [spec.keyValuePairs.S]: spec.keyValuePairs.S takes the new clientSecret of ServiceAccount ci-a",
	}
	if diff := cmp.Diff(want, brief(p)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	// The caller's objects are as they were.
	for _, l := range lives {
		if l.Secrets != nil {
			t.Errorf("%s: live secrets written: %v", l.Key, l.Secrets)
		}
	}
	if _, found := liveSA0.Attrs["spec.rotation"]; found {
		t.Errorf("the live account was given a rotation marker: %v", liveSA0.Attrs)
	}
	for _, d := range desired {
		for path, s := range d.Secrets {
			if s.Fingerprint != "" {
				t.Errorf("%s %s: desired fingerprint written", d.Key, path)
			}
		}
	}
	// What the plan compared is what its changes hold.
	byName := map[string]*Change{}
	for _, c := range p.Changes {
		byName[c.Key.Name] = c
	}
	if c := byName["a"]; c.Live == liveA || c.Live.Secrets["spec.password"].Fingerprint != "fp:old" || c.Live.ID != "1" {
		t.Errorf("a: Live = %+v, want a copy with the recorded fingerprint", c.Live)
	}
	if c := byName["ci-a"]; c.Live.Attrs["spec.rotation"] != `"r1"` || c.Live.Outputs["clientId"].Reveal() != "id-ci-a" {
		t.Errorf("ci-a: Live = %+v, want the recorded marker and the outputs", c.Live)
	}
	if c := byName["login"]; c.Live != liveLogin {
		t.Errorf("login: nothing recorded, yet Live is a copy")
	}
	if LiveDigest(byName["a"].Live) == LiveDigest(liveA) {
		t.Errorf("the live digest does not cover the recorded fingerprints")
	}

	// Without records, the same objects compare as they are: no secret can
	// be compared, the marker is unknown (so it is a change), and nothing
	// is undelivered.
	p = Compute(desired, lives, owns{}, Options{})
	got := strings.Join(brief(p), "\n")
	if strings.Contains(got, "secret value changed") || strings.Contains(got, "never reached") || !strings.Contains(got, "2 secret fields of existing objects cannot be compared") {
		t.Errorf("plan without records:\n%s", got)
	}
}
