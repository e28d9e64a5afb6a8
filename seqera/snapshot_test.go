package seqera

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/manifest"
)

// TestSnapshotCostsOneGETPerWorkspace: a snapshot reads each workspace of
// the provider with one list call, whatever the number of credentials; a
// provider of no workspace sends nothing.
func TestSnapshotCostsOneGETPerWorkspace(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 30} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			e := setup(t, emulator.Options{})
			var src strings.Builder
			for i := range n {
				src.WriteString(seqeraDoc(fmt.Sprintf("c%03d", i), "workspaceId: 1002", `{provider: google, keys: {data: "{}"}}`))
			}
			if n > 0 {
				e.mustCreate(e.desired(src.String(), nil)...)
			}
			for _, ws := range [][]string{nil, {""}, {"1002"}, {"1002", "", "1001", "1002"}} {
				e.em.Server.ResetCounts()
				before := len(e.log.Lines())
				objs, err := NewProvider(e.c, ws, Options{}).Snapshot(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				wantObjs := 0
				if strings.Contains(strings.Join(ws, ","), "1002") {
					wantObjs = n
				}
				if len(objs) != wantObjs {
					t.Errorf("workspaces %q: %d objects, want %d", ws, len(objs), wantObjs)
				}
				unique := sortWorkspaces(ws)
				want := map[string]int{}
				if len(unique) > 0 {
					want[routeList] = len(unique)
				}
				if diff := cmp.Diff(want, e.em.Server.Counts()); diff != "" {
					t.Errorf("workspaces %q: requests (-want +got):\n%s", ws, diff)
				}
				var targets, wantTargets []string
				for _, l := range e.log.Lines()[before:] {
					targets = append(targets, strings.Fields(l)[1])
				}
				for _, w := range unique {
					wantTargets = append(wantTargets, "/credentials"+map[bool]string{true: "", false: "?workspaceId=" + w}[w == ""])
				}
				if diff := cmp.Diff(wantTargets, targets); diff != "" {
					t.Errorf("workspaces %q: list requests (-want +got):\n%s", ws, diff)
				}
			}
		})
	}
}

// TestSnapshotReadsTheSeedShape parses the seed's list sample and the
// forms a real platform may send: deleted entries (left out), server
// fields and unknown keys (ignored), null and empty optional fields
// (absent).
func TestSnapshotReadsTheSeedShape(t *testing.T) {
	t.Parallel()
	reply := `{"credentials": [
	  {"id": "1mO5qKOUcacMaFXJsmJzQh", "name": "Git Hub Access Credentials", "description": "Git Hub corporate account",
	   "provider": "github", "category": "repositories", "deleted": null,
	   "lastUsed": "2020-11-10T12:20:18.024019Z", "dateCreated": "2020-11-10T11:20:18.024019Z", "lastUpdated": "2020-11-10T11:20:18.024019Z"},
	  {"id": "gone", "name": "old", "provider": "github", "deleted": true},
	  {"id": "a1", "name": "s3", "provider": "aws", "description": "", "baseUrl": null, "deleted": false,
	   "keys": {"discriminator": "aws", "accessKey": "AKIA", "assumeRoleArn": null, "secretKey": "never-shown", "mode": "keys", "flag": true}}
	]}`
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(reply))
	}))
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL + "/api/", Token: manifest.NewSecret("tok")})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := NewProvider(c, []string{"42"}, Options{}).Snapshot(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []*diff.Object{{
		Key: key("42", "Git Hub Access Credentials"), Provider: "seqera", ID: "1mO5qKOUcacMaFXJsmJzQh",
		Attrs: map[string]string{"metadata.description": `"Git Hub corporate account"`, "spec.provider": `"github"`, "spec.category": `"repositories"`},
		// The seed's reply carries no keys: the username is not known.
		Unread:  []string{"spec.keys.username"},
		InPlace: []string{"metadata.description", "spec.category", "spec.baseUrl", "spec.keys.username", "spec.keys.password"},
	}, {
		Key: key("42", "s3"), Provider: "seqera", ID: "a1",
		Attrs:   map[string]string{"spec.provider": `"aws"`, "spec.keys.accessKey": `"AKIA"`},
		InPlace: []string{"metadata.description", "spec.category", "spec.baseUrl", "spec.keys.accessKey", "spec.keys.secretKey", "spec.keys.assumeRoleArn"},
	}}
	if diff := cmp.Diff(want, objs); diff != "" {
		t.Errorf("Snapshot (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET /api/credentials?workspaceId=42 Bearer tok"}, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// A platform whose replies carry no keys: the live object shows no key, and
// names the non-secret ones it could not read, for the state to fill in.
func TestSnapshotWithoutKeys(t *testing.T) {
	t.Parallel()
	for _, noKeys := range []bool{false, true} {
		e := setup(t, emulator.Options{SeqeraNoKeys: noKeys})
		e.mustCreate(e.desired(seqeraDoc("s3", "workspaceId: 1001", `{provider: aws, keys: {accessKey: AKIA1, secretKey: s}}`), nil)...)
		l := e.snapshot()[key("1001", "s3")]
		var wantUnread []string
		wantAttrs := map[string]string{"spec.provider": `"aws"`, "spec.keys.accessKey": `"AKIA1"`}
		if noKeys {
			wantUnread = []string{"spec.keys.accessKey", "spec.keys.assumeRoleArn"}
			delete(wantAttrs, "spec.keys.accessKey")
		}
		if diff := cmp.Diff(wantUnread, l.Unread); diff != "" {
			t.Errorf("no keys %v: unread (-want +got):\n%s", noKeys, diff)
		}
		if diff := cmp.Diff(wantAttrs, l.Attrs); diff != "" {
			t.Errorf("no keys %v: attrs (-want +got):\n%s", noKeys, diff)
		}
	}
}
