package runai

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/emulator"
	"github.com/runai-sync/runai-sync/internal/testkit"
	"github.com/runai-sync/runai-sync/manifest"
)

func TestScopeOf(t *testing.T) {
	t.Parallel()
	cred := credentialDoc("c", "scope: tenant", `{type: password, user: u, password: p}`)
	own := func(spec string) string {
		return "---\napiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: o}\nspec: " + spec + "\n"
	}
	cases := map[string]struct {
		src  string
		want Scope
	}{
		"credential":            {cred, Scope{Credentials: true}},
		"credential selector":   {own(`{credentials: [{scope: project, projectId: 12}]}`), Scope{Credentials: true}},
		"service account":       {saDoc("ci", ""), Scope{ServiceAccounts: true, AccessRules: true}},
		"service account owner": {own(`{serviceAccounts: {names: ["ci-*"]}}`), Scope{ServiceAccounts: true, AccessRules: true}},
		"access key":            {akDoc("bot", ""), Scope{AccessKeys: true}},
		"access key owner":      {own(`{accessKeys: {names: ["bot-*"]}}`), Scope{AccessKeys: true, ForeignAccessKeys: true}},
		"everything":            {cred + saDoc("ci", "") + akDoc("bot", "") + own(`{accessKeys: {names: ["*"]}}`), Scope{Credentials: true, ServiceAccounts: true, AccessKeys: true, AccessRules: true, ForeignAccessKeys: true}},
		"seqera only":           {"---\napiVersion: runai-sync/v1\nkind: SeqeraCredential\nmetadata: {name: s}\nspec: {provider: github, keys: {username: u, password: p}}\n", Scope{}},
	}
	for name, c := range cases {
		if got := ScopeOf(testkit.Parse(t, c.src)); got != c.want {
			t.Errorf("%s: ScopeOf = %+v, want %+v", name, got, c.want)
		}
	}
	if got := NewProvider(nil).Scope(); got != (Scope{Credentials: true}) {
		t.Errorf("NewProvider scope = %+v", got)
	}
}

// TestSnapshotCostPerScope: a snapshot costs the login and one list call
// per family in scope, whatever the number of objects.
func TestSnapshotCostPerScope(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	var src strings.Builder
	for i := range 5 {
		src.WriteString(saDoc(fmt.Sprintf("sa-%d", i), "") + akDoc(fmt.Sprintf("ak-%d", i), ""))
		src.WriteString(credentialDoc(fmt.Sprintf("c-%d", i), "scope: project, projectId: 12", `{type: password, user: u, password: p}`))
	}
	e.mustCreate(e.desired(src.String(), nil)...)
	if _, _, _, err := e.em.Server.CreateForeignAccessKey("ak-0", "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		scope   Scope
		objects int
		calls   []string
	}{
		"credentials":      {Scope{Credentials: true}, 5, []string{routeList}},
		"service accounts": {Scope{ServiceAccounts: true}, 5, []string{routeSAList}},
		"access keys":      {Scope{AccessKeys: true}, 5, []string{routeAKList}},
		"foreign keys":     {Scope{AccessKeys: true, ForeignAccessKeys: true}, 6, []string{routeAKList, routeAdminList}},
		"all":              {allScope, 16, []string{routeList, routeSAList, routeAKList, routeAdminList}},
		"none":             {Scope{}, 0, nil},
	}
	for name, c := range cases {
		_, p := e.connect(e.cfg) // a new process: not logged in yet
		p = NewProviderScoped(p.c, c.scope)
		e.em.Server.ResetCounts()
		objs, err := p.Snapshot(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(objs) != c.objects {
			t.Errorf("%s: %d objects, want %d", name, len(objs), c.objects)
		}
		want := map[string]int{}
		if len(c.calls) > 0 {
			want[routeToken] = 1
		}
		for _, r := range c.calls {
			want[r] = 1
		}
		if diff := cmp.Diff(want, e.em.Server.Counts()); diff != "" {
			t.Errorf("%s: requests (-want +got):\n%s", name, diff)
		}
	}
}

// TestSnapshotFailure: one family's list failing fails the snapshot, with
// an error that says which list failed; the other reads are cancelled.
func TestSnapshotFailure(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{})
	target, err := url.Parse(e.em.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // the cancelled reads
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/service-accounts" {
			http.Error(w, `{"code":503,"message":"down for the test"}`, http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	cfg := e.cfg
	cfg.BaseURL = front.URL
	cfg.Retry.MaxAttempts = 1
	c, _ := e.connect(cfg)
	_, err = NewProviderScoped(c, allScope).Snapshot(t.Context())
	if err == nil || !strings.Contains(err.Error(), "list service accounts failed") || !strings.Contains(err.Error(), "503 down for the test") {
		t.Errorf("Snapshot = %v, want the failed list of service accounts and its 503", err)
	}
}

// TestLostCreateIsAdoptedAndRegenerated: under lost replies (the server
// does the create, the client sees 503, the retry meets 409) every
// account and key is made exactly once, read back, and its secret
// regenerated, so the delivered secret logs in. A deterministic seed makes
// the faults the same on every run; the test checks that some creates
// were indeed lost.
func TestLostCreateIsAdoptedAndRegenerated(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{LostRate: 0.4, Seed: 7})
	var src strings.Builder
	for i := range 12 {
		src.WriteString(saDoc(fmt.Sprintf("ci-%02d", i), map[bool]string{true: "{enabled: false}"}[i%4 == 3]))
		src.WriteString(akDoc(fmt.Sprintf("bot-%02d", i), ""))
	}
	delivered := map[manifest.Key][2]string{}
	wantEnabled := map[manifest.Key]string{}
	for _, d := range e.desired(src.String(), nil) {
		wantEnabled[d.Key] = d.Attrs[attrEnabled]
		res := e.mustDo(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
		id, secret := secrets(t, res)
		delivered[d.Key] = [2]string{id, secret}
	}
	adopted := 0
	for _, l := range e.log.Lines() {
		if strings.Contains(l, "the reply to the create was lost") {
			adopted++
		}
	}
	conflicts := 0
	for _, l := range e.log.Lines() {
		if (strings.HasPrefix(l, "POST /api/v1/service-accounts ") || strings.HasPrefix(l, "POST /api/v1/access-keys ")) && strings.Contains(l, "-> 409") {
			conflicts++
		}
	}
	if adopted == 0 || adopted != conflicts {
		t.Fatalf("%d adoptions for %d lost creates: pick a seed that loses some", adopted, conflicts)
	}
	t.Logf("%d of %d creates lost their reply and were adopted", adopted, len(delivered))
	live := e.snapshot()
	if len(live) != len(delivered) {
		t.Errorf("%d live objects for %d creates: duplicates or losses", len(live), len(delivered))
	}
	for k, v := range delivered {
		l := live[k]
		if l == nil {
			t.Errorf("%s is missing", k)
			continue
		}
		if l.Outputs[manifest.FieldClientID].Reveal() != v[0] {
			t.Errorf("%s: delivered client id is not the live one", k)
		}
		if l.Attrs[attrEnabled] != wantEnabled[k] {
			t.Errorf("%s: enabled is %q, the manifest says %q", k, l.Attrs[attrEnabled], wantEnabled[k])
		}
		want := 200
		if l.Attrs[attrEnabled] == "false" {
			want = 401
		}
		e.wantLogin(k.String(), v[0], v[1], want)
	}
	var secretsSent []string
	for _, v := range delivered {
		secretsSent = append(secretsSent, v[1])
	}
	testkit.NoSecretIn(t, e.log.Lines(), secretsSent...)
}

// TestIdentitySecretsNeverLeak: the log lines and errors of creates,
// conflicts, rotations and faults, and the fmt forms of the values that
// hold a secret, never show one.
func TestIdentitySecretsNeverLeak(t *testing.T) {
	t.Parallel()
	e := setupIdentities(t, emulator.Options{FailRate: 0.2, LostRate: 0.2, Seed: 11})
	dir := t.TempDir()
	var texts, secretsSeen []string
	docs := []func(rotation string) string{
		func(r string) string {
			return saDoc("ci-pipeline", fmt.Sprintf(`{rotation: %s, secretFile: %q}`, r, dir+"/sa.json"))
		},
		func(r string) string {
			return akDoc("platform-bot", fmt.Sprintf(`{rotation: %s, secretFile: %q}`, r, dir+"/ak.json"))
		},
	}
	for _, doc := range docs {
		d := e.one(doc("r1"))
		for range 2 { // the second create conflicts
			res, err := e.do(diff.PhaseCreate, &diff.Change{Action: diff.Create, Key: d.Key, Desired: d, Regenerate: true})
			if err != nil {
				texts = append(texts, err.Error(), fmt.Sprintf("%+v %#v", err, err))
				continue
			}
			_, s := secrets(t, res)
			secretsSeen = append(secretsSeen, s)
			texts = append(texts, fmt.Sprintf("%v %+v %#v", res, res, res))
		}
		ch := e.plan(e.one(doc("r2")), "r1")
		res, err := e.do(diff.PhaseCreate, ch)
		if err != nil {
			t.Fatalf("rotate %s: %v", d.Key, err)
		}
		_, s := secrets(t, res)
		secretsSeen = append(secretsSeen, s)
		texts = append(texts, fmt.Sprintf("%v %+v %#v", res, res, res), fmt.Sprintf("%v %+v %#v", ch, ch, ch))
	}
	if len(secretsSeen) != 4 {
		t.Fatalf("%d secrets delivered, want 4 (two creates, two rotations)", len(secretsSeen))
	}
	probe := issued{key: manifestSAKey("x"), clientID: "c", secret: manifest.NewSecret("probe-secret-value")}
	texts = append(texts, fmt.Sprintf("%v %+v %#v", probe, probe, probe),
		fmt.Sprintf("%v %+v %#v", createdIdentity{ClientSecret: "probe-secret-value"}, createdIdentity{ClientSecret: "probe-secret-value"}, createdIdentity{ClientSecret: "probe-secret-value"}),
		fmt.Sprintf("%v %+v %#v", regeneratedSecret{ClientSecret: "probe-secret-value"}, regeneratedSecret{ClientSecret: "probe-secret-value"}, regeneratedSecret{ClientSecret: "probe-secret-value"}),
		fmt.Sprintf("%v %+v %#v", secretFile{ClientSecret: "probe-secret-value"}, secretFile{ClientSecret: "probe-secret-value"}, secretFile{ClientSecret: "probe-secret-value"}))
	texts = append(texts, e.log.Lines()...)
	testkit.NoSecretIn(t, texts, append(secretsSeen, "probe-secret-value", e.em.ClientSecret, "eyJ")...)
}
