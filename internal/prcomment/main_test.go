package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeGitHub is the part of the GitHub REST API prcomment uses, in memory:
// issue comments of pull requests, listed in pages.
type fakeGitHub struct {
	t        *testing.T
	token    string
	mu       sync.Mutex
	nextID   int64
	comments map[int][]*comment // by pull request
	calls    []string           // "METHOD path"
}

func newFakeGitHub(t *testing.T) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{t: t, token: "ghs_test-token", nextID: 1000, comments: map[int][]*comment{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// add puts a comment made by someone else.
func (f *fakeGitHub) add(pr int, body string) int64 { return f.addBy(pr, "octocat", body) }

// addBy puts a comment made by login.
func (f *fakeGitHub) addBy(pr int, login, body string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.comments[pr] = append(f.comments[pr], &comment{ID: f.nextID, Body: body, User: user{Login: login}})
	return f.nextID
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		reply(401, map[string]string{"message": "Bad credentials"})
		return
	}
	var pr int
	var id int64
	var body struct {
		Body *string `json:"body"`
	}
	switch {
	case r.Method == "GET" && sscan(r.URL.Path, "/repos/acme/tenants/issues/%d/comments", &pr):
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if per <= 0 || per > 100 {
			per = 30
		}
		if page < 1 {
			page = 1
		}
		all := f.comments[pr]
		from := min((page-1)*per, len(all))
		reply(200, all[from:min(from+per, len(all))])
	case r.Method == "POST" && sscan(r.URL.Path, "/repos/acme/tenants/issues/%d/comments", &pr):
		if json.NewDecoder(r.Body).Decode(&body) != nil || body.Body == nil {
			reply(422, map[string]string{"message": "body is required"})
			return
		}
		f.nextID++
		c := &comment{ID: f.nextID, Body: *body.Body, User: user{Login: "github-actions[bot]"}}
		f.comments[pr] = append(f.comments[pr], c)
		reply(201, c)
	case r.Method == "PATCH" && sscan(r.URL.Path, "/repos/acme/tenants/issues/comments/%d", &id):
		if json.NewDecoder(r.Body).Decode(&body) != nil || body.Body == nil {
			reply(422, map[string]string{"message": "body is required"})
			return
		}
		for _, cs := range f.comments {
			for _, c := range cs {
				if c.ID == id {
					c.Body = *body.Body
					reply(200, c)
					return
				}
			}
		}
		reply(404, map[string]string{"message": "Not Found"})
	default:
		reply(404, map[string]string{"message": "Not Found"})
	}
}

func sscan(path, format string, v any) bool {
	n, err := fmt.Sscanf(path, format, v)
	return err == nil && n == 1 && fmt.Sprintf(format, deref(v)) == path
}

func deref(v any) any {
	switch p := v.(type) {
	case *int:
		return *p
	case *int64:
		return *p
	}
	return v
}

// ours lists the comments of a pull request that hold the default marker.
func (f *fakeGitHub) ours(pr int) []*comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*comment
	for _, c := range f.comments[pr] {
		if strings.Contains(c.Body, "<!-- runai-sync-plan -->") {
			cp := *c
			out = append(out, &cp)
		}
	}
	return out
}

// runAction runs prcomment as the action's comment step does, with the
// environment GitHub Actions gives it.
func runAction(t *testing.T, srv *httptest.Server, dir, plan, stderr string, exitCode int, extra ...string) (string, error) {
	t.Helper()
	planFile, errFile := filepath.Join(dir, "plan.md"), filepath.Join(dir, "plan.err")
	if err := os.WriteFile(planFile, []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(errFile, []byte(stderr), 0o644); err != nil {
		t.Fatal(err)
	}
	event := filepath.Join(dir, "event.json")
	if err := os.WriteFile(event, []byte(`{"action":"synchronize","number":42,"pull_request":{"number":42}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_TOKEN": "ghs_test-token", "GITHUB_REPOSITORY": "acme/tenants", "GITHUB_API_URL": srv.URL, "GITHUB_EVENT_PATH": event}
	var out bytes.Buffer
	args := append([]string{"--plan", planFile, "--stderr", errFile, "--exit-code", strconv.Itoa(exitCode)}, extra...)
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out)
	return out.String(), err
}

const changes = "### runai-sync plan\n\n| Create | Update | Replace | Delete | Unchanged |\n|---:|---:|---:|---:|---:|\n| 1 | 0 | 0 | 0 | 3 |\n"

// TestStickyComment: the first run creates the comment, the second updates
// the same one, and a refused plan is posted too, with why; comments of
// others are left alone.
func TestStickyComment(t *testing.T) {
	f, srv := newFakeGitHub(t)
	dir := t.TempDir()
	other := f.add(42, "LGTM")

	out, err := runAction(t, srv, dir, changes, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	ours := f.ours(42)
	if len(ours) != 1 || !strings.Contains(ours[0].Body, "| 1 | 0 | 0 | 0 | 3 |") {
		t.Fatalf("after the first run: %d comments of ours: %+v", len(ours), ours)
	}
	first := ours[0].ID
	if out != fmt.Sprintf("created comment %d on acme/tenants#42\n", first) {
		t.Errorf("first run printed %q", out)
	}

	second := strings.Replace(changes, "| 1 | 0 | 0 | 0 | 3 |", "| 2 | 0 | 0 | 0 | 3 |", 1)
	if out, err = runAction(t, srv, dir, second, "", 2); err != nil {
		t.Fatal(err)
	}
	ours = f.ours(42)
	if len(ours) != 1 || ours[0].ID != first || !strings.Contains(ours[0].Body, "| 2 | 0 | 0 | 0 | 3 |") {
		t.Fatalf("the second run did not update comment %d: %+v", first, ours)
	}
	if out != fmt.Sprintf("updated comment %d on acme/tenants#42\n", first) {
		t.Errorf("second run printed %q", out)
	}

	// A refused plan (exit 1): the same comment, with the refusals and why.
	refused, err := os.ReadFile("../../testdata/render/plan.md.golden")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runAction(t, srv, dir, string(refused), "Error: the plan is refused by 2 guards (see above)\n", 1); err != nil {
		t.Fatal(err)
	}
	ours = f.ours(42)
	if len(ours) != 1 || ours[0].ID != first {
		t.Fatalf("the refused plan made another comment: %+v", ours)
	}
	for _, want := range []string{
		"**The plan was refused or failed** (exit status 1)",
		"**Refused**: nothing will be applied while these stand.",
		"in use by workspace notebook-1 (lift with `--force`)",
		"<details><summary>Why (standard error)</summary>\n\n```text\nError: the plan is refused by 2 guards (see above)\n```",
	} {
		if !strings.Contains(ours[0].Body, want) {
			t.Errorf("the refused plan's comment lacks %q:\n%s", want, ours[0].Body)
		}
	}
	if c := f.comments[42]; len(c) != 2 || c[0].ID != other || c[0].Body != "LGTM" {
		t.Errorf("another's comment changed: %+v", c)
	}
}

// TestFindsItsCommentOnALaterPage: the marker is found past the first
// page of comments, and another marker (a second tenant) is another comment.
func TestFindsItsCommentOnALaterPage(t *testing.T) {
	f, srv := newFakeGitHub(t)
	dir := t.TempDir()
	for i := range 150 {
		f.add(42, fmt.Sprintf("comment %d", i))
	}
	mine := f.addBy(42, "github-actions[bot]", "<!-- runai-sync-plan -->\nold plan")
	for i := range 60 {
		f.add(42, fmt.Sprintf("later comment %d", i))
	}
	if _, err := runAction(t, srv, dir, changes, "", 0); err != nil {
		t.Fatal(err)
	}
	if ours := f.ours(42); len(ours) != 1 || ours[0].ID != mine || strings.Contains(ours[0].Body, "old plan") {
		t.Fatalf("comment %d on page 2 not updated: %+v", mine, ours)
	}
	if _, err := runAction(t, srv, dir, changes, "", 0, "--marker", "acme-prod"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.comments[42]); n != 212 {
		t.Errorf("%d comments, want 212 (one more for the second marker)", n)
	}
	if last := f.comments[42][211]; !strings.HasPrefix(last.Body, "<!-- runai-sync-plan:acme-prod -->\n") {
		t.Errorf("second marker's comment: %q", last.Body)
	}
}

func TestErrors(t *testing.T) {
	f, srv := newFakeGitHub(t)
	dir := t.TempDir()
	f.token = "another-token"
	if _, err := runAction(t, srv, dir, changes, "", 0); err == nil || !strings.Contains(err.Error(), "401 Bad credentials") || strings.Contains(err.Error(), "ghs_test-token") {
		t.Errorf("bad token: %v", err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"--plan", "p.md"}, func(string) string { return "" }, &out)
	if err == nil || !strings.Contains(err.Error(), "GITHUB_TOKEN is not set") {
		t.Errorf("no token: %v", err)
	}
	env := map[string]string{"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "a/b"}
	err = run(context.Background(), []string{"--plan", "p.md"}, func(k string) string { return env[k] }, &out)
	if err == nil || !strings.Contains(err.Error(), "no pull request") {
		t.Errorf("no pull request: %v", err)
	}
}

func TestComposeTruncatesLongPlans(t *testing.T) {
	plan := strings.Repeat("| 🟢 | create | Credential password `x` | project 12 |  |\n", 5000)
	body := compose(markerOf(""), plan, "", 2)
	if len(body) > maxBody || !strings.Contains(body, "the plan is longer than a comment can hold") {
		t.Errorf("a %d-byte plan gave a %d-byte comment", len(plan), len(body))
	}
}

// TestIgnoresAnotherUsersMarker: a comment of someone else that carries
// the marker (anyone may write it) is never edited: the plan goes to a
// comment of the token's own, which a later run finds again.
func TestIgnoresAnotherUsersMarker(t *testing.T) {
	f, srv := newFakeGitHub(t)
	dir := t.TempDir()
	spoof := f.add(42, "<!-- runai-sync-plan -->\nNo changes. Your infrastructure matches the configuration.")
	quoted := f.addBy(42, "github-actions[bot]", "a note quoting <!-- runai-sync-plan --> in passing")
	for range 2 {
		if _, err := runAction(t, srv, dir, changes, "", 2); err != nil {
			t.Fatal(err)
		}
	}
	c := f.comments[42]
	if len(c) != 3 {
		t.Fatalf("%d comments, want the two others' and one of ours: %+v", len(c), c)
	}
	if c[0].ID != spoof || !strings.Contains(c[0].Body, "No changes") || c[1].ID != quoted || !strings.HasPrefix(c[1].Body, "a note") {
		t.Errorf("a comment that is not ours was edited: %+v %+v", c[0], c[1])
	}
	if !strings.HasPrefix(c[2].Body, "<!-- runai-sync-plan -->\n") || !strings.Contains(c[2].Body, "| 1 | 0 | 0 | 0 | 3 |") {
		t.Errorf("our comment: %q", c[2].Body)
	}
}
