package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/runai-sync/runai-sync/emulator"
)

// emulators holds the emulator of each running script, by work directory.
var emulators sync.Map

type scriptEmulator struct {
	srv   *emulator.Server
	url   string
	id    string
	token string
}

// cmdEmulator starts an in-process emulator for the script and points
// runai-sync at it (RUNAI_BASE_URL, RUNAI_CLIENT_ID, RUNAI_CLIENT_SECRET,
// TOWER_API_ENDPOINT, TOWER_ACCESS_TOKEN). With -as NAME it is one more
// emulator, a tenant of its own: the variables start with NAME_ instead,
// and emu -on NAME acts on it. In TestScriptsStrict the strict options are
// added (see strictOptions); a script keeps the convenient behaviour by
// giving the flag itself (-delete-delay 0, -seqera-no-keys=false).
//
//	emulator [-as NAME] [-latency 20ms] [-fail-rate F] [-lost-rate F] [-rate-limit N] [-seed N] [-sync-delay D] [-delete-delay D] [-seqera-shape seed] [-seqera-no-keys]
func cmdEmulator(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: emulator [flags]")
	}
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	var opts emulator.Options
	fs.DurationVar(&opts.Latency, "latency", 0, "")
	fs.Float64Var(&opts.FailRate, "fail-rate", 0, "")
	fs.Float64Var(&opts.LostRate, "lost-rate", 0, "")
	fs.IntVar(&opts.RateLimit, "rate-limit", 0, "")
	fs.Int64Var(&opts.Seed, "seed", 0, "")
	fs.DurationVar(&opts.SyncDelay, "sync-delay", 0, "")
	fs.DurationVar(&opts.DeleteDelay, "delete-delay", 0, "")
	fs.StringVar(&opts.SeqeraShape, "seqera-shape", "", "")
	fs.BoolVar(&opts.SeqeraNoKeys, "seqera-no-keys", false, "")
	as := fs.String("as", "", "")
	fs.StringVar(&opts.OrgFile, "org", "", "")
	ts.Check(fs.Parse(args))
	if ts.Getenv(strictEnv) == "1" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		strictOptions(&opts, set)
	}
	if opts.OrgFile != "" {
		opts.OrgFile = ts.MkAbs(opts.OrgFile)
	}
	opts.Addr = "127.0.0.1:0"
	opts.ValidateResponses = true
	srv, err := emulator.New(opts)
	ts.Check(err)
	l, err := srv.Listen()
	ts.Check(err)
	go func() { _ = srv.Serve(l) }()
	url := "http://" + l.Addr().String()
	id, secret, seqera := srv.Credentials()
	e := &scriptEmulator{srv: srv, url: url, id: id}
	key, prefix := ts.Getenv("WORK"), ""
	if *as != "" {
		key, prefix = key+"#"+*as, *as+"_"
		ts.Setenv(secretNames, strings.TrimSpace(ts.Getenv(secretNames)+" "+prefix+"RUNAI_CLIENT_SECRET "+prefix+"TOWER_ACCESS_TOKEN"))
	}
	emulators.Store(key, e)
	ts.Defer(func() {
		_ = srv.Close()
		emulators.Delete(key)
		if v := srv.ResponseViolations(); len(v) > 0 {
			ts.Fatalf("the emulator sent replies that break the vendor spec:\n%s", strings.Join(v, "\n"))
		}
	})
	ts.Setenv(prefix+"RUNAI_BASE_URL", url)
	ts.Setenv(prefix+"RUNAI_CLIENT_ID", id)
	ts.Setenv(prefix+"RUNAI_CLIENT_SECRET", secret)
	ts.Setenv(prefix+"TOWER_API_ENDPOINT", url+"/api")
	ts.Setenv(prefix+"TOWER_ACCESS_TOKEN", seqera)
}

// strictDeleteDelay is how long a deleted credential stays Deleting in the
// strict scenarios: long enough that a create straight after a delete meets
// 409, short enough to keep the suite fast.
const strictDeleteDelay = 300 * time.Millisecond

// strictOptions turns on the emulator's less convenient behaviours, those
// of a real tenant (TestScriptsStrict), but for the options a script set
// itself (set holds the flag names it gave): asynchronous deletion,
// Seqera replies without "keys", and token replies without expiresIn.
func strictOptions(opts *emulator.Options, set map[string]bool) {
	if !set["delete-delay"] {
		opts.DeleteDelay = strictDeleteDelay
	}
	if !set["seqera-no-keys"] {
		opts.SeqeraNoKeys = true
	}
	opts.LegacyToken = true
}

func scriptEmu(ts *testscript.TestScript) *scriptEmulator {
	v, ok := emulators.Load(ts.Getenv("WORK"))
	if !ok {
		ts.Fatalf("no emulator: start one with the emulator command")
	}
	return v.(*scriptEmulator)
}

// call makes an API request as the admin, behind runai-sync's back.
func (e *scriptEmulator) call(ts *testscript.TestScript, method, path string, body any) (int, []byte) {
	if e.token == "" {
		_, secret, _ := e.srv.Credentials()
		b, _ := json.Marshal(map[string]string{"grantType": "client_credentials", "clientId": e.id, "clientSecret": secret})
		resp, err := http.Post(e.url+"/api/v1/token", "application/json", bytes.NewReader(b))
		ts.Check(err)
		var tok struct{ AccessToken string }
		ts.Check(json.NewDecoder(resp.Body).Decode(&tok))
		resp.Body.Close()
		e.token = tok.AccessToken
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		ts.Check(err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	ts.Check(err)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// asset finds a credential by type and name (and optional project id).
func (e *scriptEmulator) asset(ts *testscript.TestScript, typ, name string) (id string, meta map[string]any) {
	status, body := e.call(ts, "GET", "/api/v1/asset/credentials/"+typ+"?name="+name, nil)
	if status != 200 {
		ts.Fatalf("list %s: %d %s", typ, status, body)
	}
	var list struct {
		Entries []struct {
			Meta map[string]any `json:"meta"`
		} `json:"entries"`
	}
	ts.Check(json.Unmarshal(body, &list))
	if len(list.Entries) != 1 {
		ts.Fatalf("%d %s credentials named %s, want 1", len(list.Entries), typ, name)
	}
	return list.Entries[0].Meta["id"].(string), list.Entries[0].Meta
}

// cmdEmu acts on the emulator behind runai-sync's back:
//
//	emu in-use TYPE NAME WORKLOAD[:STATUS]...  mark a credential used by workspaces (default Running)
//	emu describe TYPE NAME DESCRIPTION   change a description through the API
//	emu delete TYPE NAME                 delete a credential through the API
//	emu create TYPE JSON                 create a credential through the API
//	emu count N                          credentials of every type not being deleted, exactly N
//	emu requests N [ROUTE]               requests made since the last reset, exactly N
//	emu status TYPE NAME STATUS          force the sync status of a credential
//	emu wait-requests N ROUTE            wait until ROUTE got N requests (a background run is mid-way)
//	emu login-file FILE                  log in with a delivered secret file (! expects 401)
//	emu login-secret TYPE NAME IDKEY SECRETKEY   log in with the values a generic secret holds
//	emu login-env FILE                   the next runai-sync logs in as a delivered secret file's account
//	emu access-rule ... | access-rules   make a rule, print every rule (accessrules_script_test.go)
//	emu foreign-key NAME CREATEDBY       an access key of another user
//	emu seqera-id NAME WS FILE           write a Seqera credential's id to FILE
//	emu seqera-secret NAME WS KEY VAR    the stored Seqera key equals $VAR
//	emu seqera-in-use NAME WS JOB...     running workflows use a Seqera credential
//	emu seqera-describe NAME WS TEXT     change a Seqera description through the API
//	emu stored TYPE NAME KEY VAR         a credential's stored secret KEY equals $VAR
//	emu meta TYPE NAME                   print a credential's meta as JSON (for stdout checks)
//	emu reset-requests                   start counting again
//	emu hold N ROUTE                     let N more requests to ROUTE through, then keep the rest waiting
//	emu held N ROUTE                     wait until exactly N requests wait on ROUTE's hold (0: a killed client's left)
//	emu release ROUTE                    let the requests waiting on ROUTE go on
//	emu age KIND NAME [created=AGE] [login=AGE|never]   age a service account (sa), any user's access key (key) or a credential (its TYPE)
//
// emu -on NAME SUBCOMMAND acts on the emulator started with emulator -as NAME.
func cmdEmu(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: emu [-on NAME] SUBCOMMAND ...")
	}
	if args[0] == "-on" && len(args) > 2 {
		v, ok := emulators.Load(ts.Getenv("WORK") + "#" + args[1])
		if !ok {
			ts.Fatalf("no emulator %s: start one with emulator -as %s", args[1], args[1])
		}
		emuOn(ts, neg, v.(*scriptEmulator), args[2:])
		return
	}
	emuOn(ts, neg, scriptEmu(ts), args)
}

// emuOn runs an emu subcommand on e.
func emuOn(ts *testscript.TestScript, neg bool, e *scriptEmulator, args []string) {
	switch args[0] {
	case "in-use":
		id, _ := e.asset(ts, args[1], args[2])
		var ws []emulator.Workload
		for _, w := range args[3:] {
			name, status, found := strings.Cut(w, ":")
			if !found {
				status = "Running"
			}
			ws = append(ws, emulator.Workload{Type: "workspaces", Name: name, Status: status})
		}
		ts.Check(e.srv.MarkInUse(id, ws...))
	case "describe":
		id, _ := e.asset(ts, args[1], args[2])
		status, body := e.call(ts, "PUT", "/api/v1/asset/credentials/"+args[1]+"/"+id, map[string]any{"meta": map[string]any{"description": strings.Join(args[3:], " ")}})
		if status != 202 {
			ts.Fatalf("describe: %d %s", status, body)
		}
	case "delete":
		id, _ := e.asset(ts, args[1], args[2])
		if status, body := e.call(ts, "DELETE", "/api/v1/asset/credentials/"+args[1]+"/"+id, nil); status >= 300 {
			ts.Fatalf("delete: %d %s", status, body)
		}
	case "create":
		var body any
		ts.Check(json.Unmarshal([]byte(strings.Join(args[2:], " ")), &body))
		if status, out := e.call(ts, "POST", "/api/v1/asset/credentials/"+args[1], body); status != 202 {
			ts.Fatalf("create: %d %s", status, out)
		}
	case "count":
		want, _ := strconv.Atoi(args[1])
		status, body := e.call(ts, "GET", "/api/v1/asset/credentials", nil)
		var list struct {
			Entries []struct {
				Meta struct {
					DeletedAt *string `json:"deletedAt"`
				} `json:"meta"`
			}
		}
		ts.Check(json.Unmarshal(body, &list))
		// Credentials being deleted (-delete-delay) are deleted as far as
		// runai-sync is concerned: they are not counted.
		got := 0
		for _, c := range list.Entries {
			if c.Meta.DeletedAt == nil {
				got++
			}
		}
		if status != 200 || (got == want) == neg {
			ts.Fatalf("%d credentials, want %s%d", got, map[bool]string{true: "not "}[neg], want)
		}
	case "requests":
		want, _ := strconv.Atoi(args[1])
		got := e.srv.TotalRequests()
		if len(args) > 2 {
			route := strings.Join(args[2:], " ")
			if !slices.Contains(e.srv.Routes(), route) {
				ts.Fatalf("no route %q: the emulator has %v", route, e.srv.Routes())
			}
			got = e.srv.Counts()[route]
		}
		if got != want {
			ts.Fatalf("%d requests, want %d: %v", got, want, e.srv.Counts())
		}
	case "mutations":
		// mutations N: the requests that change something (any method but
		// GET, the token login aside).
		want, _ := strconv.Atoi(args[1])
		got := 0
		for route, n := range e.srv.Counts() {
			if !strings.HasPrefix(route, "GET ") && route != "POST /api/v1/token" {
				got += n
			}
		}
		if got != want {
			ts.Fatalf("%d mutating requests, want %d: %v", got, want, e.srv.Counts())
		}
	case "status":
		id, _ := e.asset(ts, args[1], args[2])
		ts.Check(e.srv.SetSyncStatus(id, strings.Join(args[3:], " ")))
	case "wait-requests":
		want, _ := strconv.Atoi(args[1])
		route := strings.Join(args[2:], " ")
		deadline := time.Now().Add(20 * time.Second)
		for e.srv.Counts()[route] < want {
			if time.Now().After(deadline) {
				ts.Fatalf("waited 20s for %d requests to %s: %v", want, route, e.srv.Counts())
			}
			time.Sleep(10 * time.Millisecond)
		}
	case "login-file":
		// emu login-file FILE: log in with the clientId and clientSecret of a
		// delivered secret file; ! emu login-file expects a refusal.
		var f struct{ ClientID, ClientSecret string }
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &f))
		e.login(ts, neg, f.ClientID, f.ClientSecret)
		return
	case "access-rule", "access-rules":
		emuAccessRules(ts, neg, e, args)
	case "login-env":
		// emu login-env FILE: the next runai-sync logs in as the account of
		// a delivered secret file (RUNAI_CLIENT_ID, RUNAI_CLIENT_SECRET).
		var f struct{ ClientID, ClientSecret string }
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[1])), &f))
		ts.Setenv("RUNAI_CLIENT_ID", f.ClientID)
		ts.Setenv("RUNAI_CLIENT_SECRET", f.ClientSecret)
		return
	case "login-secret":
		// emu login-secret TYPE NAME ID_KEY SECRET_KEY: log in with the values
		// a generic secret holds.
		id, _ := e.asset(ts, args[1], args[2])
		vals, _ := e.srv.StoredSecrets(id)
		e.login(ts, neg, vals[args[3]], vals[args[4]])
		return
	case "foreign-key":
		_, _, _, err := e.srv.CreateForeignAccessKey(args[1], args[2])
		ts.Check(err)
	case "seqera-id":
		// emu seqera-id NAME WORKSPACE FILE: write the credential's id to FILE.
		ts.Check(os.WriteFile(ts.MkAbs(args[3]), []byte(e.seqera(ts, args[1], args[2])["id"].(string)+"\n"), 0o644))
	case "seqera-secret":
		// emu seqera-secret NAME WORKSPACE KEY VAR: the stored key equals $VAR.
		vals, _ := e.srv.StoredSecrets(e.seqera(ts, args[1], args[2])["id"].(string))
		if (vals[args[3]] == ts.Getenv(args[4])) == neg {
			ts.Fatalf("seqera %s key %s does not hold $%s", args[1], args[3], args[4])
		}
	case "seqera-in-use":
		var jobs []emulator.SeqeraJob
		for _, j := range args[3:] {
			jobs = append(jobs, emulator.SeqeraJob{ID: "run-" + j, Name: j})
		}
		ts.Check(e.srv.MarkSeqeraInUse(e.seqera(ts, args[1], args[2])["id"].(string), jobs...))
	case "seqera-describe":
		c := e.seqera(ts, args[1], args[2])
		// The user who edits the description in the UI gives every key
		// again (a reply may show none of them: -seqera-no-keys).
		keys, _ := e.srv.SeqeraKeys(c["id"].(string))
		body := map[string]any{"credentials": map[string]any{"id": c["id"], "name": c["name"], "provider": c["provider"],
			"description": strings.Join(args[3:], " "), "keys": keys}}
		if status, out := e.seqeraCall(ts, "PUT", "/credentials/"+c["id"].(string)+wsQuery(args[2]), body); status != 204 {
			ts.Fatalf("seqera describe: %d %s", status, out)
		}
	case "stored":
		// emu stored TYPE NAME KEY VAR: the credential's stored secret
		// KEY equals $VAR.
		id, _ := e.asset(ts, args[1], args[2])
		vals, _ := e.srv.StoredSecrets(id)
		if (vals[args[3]] == ts.Getenv(args[4])) == neg {
			ts.Fatalf("%s %s key %s does not hold $%s", args[1], args[2], args[3], args[4])
		}
	case "meta":
		// emu meta TYPE NAME: print the credential's meta as JSON.
		_, meta := e.asset(ts, args[1], args[2])
		b, err := json.Marshal(meta)
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "%s\n", b)
	case "reset-requests":
		e.srv.ResetCounts()
	case "hold":
		pass, err := strconv.Atoi(args[1])
		if err != nil || len(args) < 3 {
			ts.Fatalf("usage: emu hold N ROUTE")
		}
		e.srv.Hold(strings.Join(args[2:], " "), pass)
	case "held":
		want, _ := strconv.Atoi(args[1])
		route := strings.Join(args[2:], " ")
		for deadline := time.Now().Add(20 * time.Second); e.srv.Held(route) != want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				ts.Fatalf("waited 20s for %d requests held on %s: %d", want, route, e.srv.Held(route))
			}
		}
	case "release":
		e.srv.Release(strings.Join(args[1:], " "))
	case "age":
		emuAge(ts, e, args[1], args[2], args[3:])
	default:
		ts.Fatalf("unknown emu subcommand %q", args[0])
	}
}

// login asks the emulator for a token with a client id and secret.
func (e *scriptEmulator) login(ts *testscript.TestScript, neg bool, id, secret string) {
	b, _ := json.Marshal(map[string]string{"grantType": "client_credentials", "clientId": id, "clientSecret": secret})
	resp, err := http.Post(e.url+"/api/v1/token", "application/json", bytes.NewReader(b))
	ts.Check(err)
	resp.Body.Close()
	switch {
	case neg && resp.StatusCode == 200:
		ts.Fatalf("logged in, but the credentials should be refused")
	case !neg && resp.StatusCode != 200:
		ts.Fatalf("login refused: %d", resp.StatusCode)
	}
}

func wsQuery(ws string) string {
	if ws == "personal" || ws == "" {
		return ""
	}
	return "?workspaceId=" + ws
}

// seqeraCall makes a Seqera API request with the Seqera token.
func (e *scriptEmulator) seqeraCall(ts *testscript.TestScript, method, path string, body any) (int, []byte) {
	_, _, token := e.srv.Credentials()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+"/api"+path, rd)
	ts.Check(err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// seqera finds a Seqera credential by name in a workspace ("personal" for
// the personal one).
func (e *scriptEmulator) seqera(ts *testscript.TestScript, name, ws string) map[string]any {
	status, body := e.seqeraCall(ts, "GET", "/credentials"+wsQuery(ws), nil)
	if status != 200 {
		ts.Fatalf("list seqera credentials: %d %s", status, body)
	}
	var list struct{ Credentials []map[string]any }
	ts.Check(json.Unmarshal(body, &list))
	for _, c := range list.Credentials {
		if c["name"] == name {
			return c
		}
	}
	ts.Fatalf("no seqera credential %s in workspace %s", name, ws)
	return nil
}
