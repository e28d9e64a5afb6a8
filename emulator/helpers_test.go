package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// client talks to an emulator over real HTTP.
type client struct {
	t     *testing.T
	base  string
	token string // Run:ai bearer token or Seqera token
	hc    *http.Client
}

// resp is one answer.
type resp struct {
	status int
	body   []byte
	header http.Header
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %d reply %q: %v", r.status, r.body, err)
	}
	return m
}

func (r resp) message() string {
	var m struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(r.body, &m)
	return m.Message
}

// start runs an emulator and returns it with an admin client logged in.
func start(t *testing.T, opts Options) (*Instance, *client) {
	t.Helper()
	in := Start(t, opts)
	c := &client{t: t, base: in.URL, hc: (&client{}).hcDefault()}
	c.token = c.login(in.ClientID, in.ClientSecret)
	return in, c
}

func (*client) hcDefault() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

func (c *client) with(token string) *client {
	cp := *c
	cp.token = token
	return &cp
}

// login returns a bearer token or fails the test.
func (c *client) login(id, secret string) string {
	c.t.Helper()
	r := c.tryLogin(id, secret)
	if r.status != http.StatusOK {
		c.t.Fatalf("login %s: %d %s", id, r.status, r.body)
	}
	return r.json(c.t)["accessToken"].(string)
}

func (c *client) tryLogin(id, secret string) resp {
	return c.with("").do("POST", "/api/v1/token", map[string]string{"grantType": "client_credentials", "clientId": id, "clientSecret": secret})
}

// do sends body (nil: none; string or []byte: raw; else JSON-encoded).
func (c *client) do(method, path string, body any) resp {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp{status: res.StatusCode, body: raw, header: res.Header}
}

// must sends a request and fails the test unless the status is want.
func (c *client) must(want int, method, path string, body any) resp {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.t.Fatalf("%s %s: got %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// fakeClock is an injectable clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// Bodies used across tests.

func accessKeyBody(name string, meta map[string]any) map[string]any {
	m := map[string]any{"name": name, "scope": "project", "projectId": 12}
	for k, v := range meta {
		m[k] = v
		if v == nil {
			delete(m, k)
		}
	}
	return map[string]any{"meta": m, "spec": map[string]any{"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "s3cr3t-" + name}}
}

func id(t *testing.T, r resp) string {
	t.Helper()
	meta, isMap := r.json(t)["meta"].(map[string]any)
	if !isMap {
		t.Fatalf("no meta in %s", r.body)
	}
	return meta["id"].(string)
}
