package emulator

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPersistenceSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	in, c := start(t, Options{DataFile: file, Seed: 3})
	aid := id(t, c.must(202, "POST", credsPath+"/generic-secret", map[string]any{
		"meta": map[string]any{"name": "g", "scope": "project", "projectId": 7},
		"spec": map[string]any{"keyValuePairs": []any{map[string]any{"key": "K", "value": "V-persist"}}},
	}))
	if err := in.Server.MarkInUse(aid, Workload{Type: "workspaces", Name: "ws"}); err != nil {
		t.Fatal(err)
	}
	sa := c.must(201, "POST", "/api/v1/service-accounts", map[string]any{"name": "ci"}).json(t)
	ak := c.must(201, "POST", "/api/v1/access-keys", map[string]any{"name": "laptop"}).json(t)
	sq := c.with(in.SeqeraToken)
	sid := sq.must(200, "POST", "/api/credentials?workspaceId=1001", awsCred("s3")).json(t)["credentialsId"].(string)
	if err := in.Server.MarkSeqeraInUse(sid, SeqeraJob{ID: "j1", Name: "run"}); err != nil {
		t.Fatal(err)
	}
	oldToken := c.token
	drawn := in.Server.ids.counter()
	if err := in.Server.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file: %v, mode %v", err, fi.Mode())
	}

	again, c2 := start(t, Options{DataFile: file, Seed: 3})
	if again.ClientSecret != in.ClientSecret || again.SeqeraToken != in.SeqeraToken {
		t.Error("admin credentials changed across the restart")
	}
	c2.with(oldToken).must(200, "GET", "/api/v1/clusters", nil) // tokens survive too
	g := c2.must(200, "GET", credsPath+"/generic-secret/"+aid+"?usageInfo=true", nil).json(t)
	if ws := g["usedBy"].(map[string]any)["workspaces"].([]any); len(ws) != 1 {
		t.Errorf("usage mark lost: %v", g["usedBy"])
	}
	if s, _ := again.Server.StoredSecrets(aid); s["K"] != "V-persist" {
		t.Errorf("secret lost: %v", s)
	}
	c2.must(409, "POST", credsPath+"/generic-secret", map[string]any{
		"meta": map[string]any{"name": "g", "scope": "project", "projectId": 7},
		"spec": map[string]any{"existingSecretName": "x"},
	})
	c2.login(sa["clientId"].(string), sa["clientSecret"].(string))
	c2.login(ak["clientId"].(string), ak["clientSecret"].(string))
	c2.with(again.SeqeraToken).must(409, "DELETE", "/api/credentials/"+sid+"?workspaceId=1001&checked=true", nil)
	// New ids do not repeat the ones handed out before the restart: the
	// seeded stream goes on where it stopped.
	if got := again.Server.ids.counter(); got < drawn {
		t.Errorf("the id stream restarted at %d, before the %d draws made already", got, drawn)
	}
	sa2 := c2.must(201, "POST", "/api/v1/service-accounts", map[string]any{"name": "ci-2"}).json(t)
	if sa2["id"] == sa["id"] || sa2["clientSecret"] == sa["clientSecret"] {
		t.Error("a restarted seeded emulator repeated ids")
	}
}

func TestCorruptDataFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{DataFile: file})
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("New with a corrupt file: %v", err)
	}
}

func TestBackgroundFlush(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	_, c := start(t, Options{DataFile: file})
	c.must(201, "POST", "/api/v1/service-accounts", map[string]any{"name": "flushed"})
	// The background writer picks the change up without Close; poll for it
	// (bounded) rather than assume a timing.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(file)
		if err == nil && strings.Contains(string(b), `"flushed"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("data file never showed the change: %v %.200s", err, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNewAndServe shows the emulator comes up and answers at once.
func TestNewAndServe(t *testing.T) {
	s, err := New(Options{Addr: "127.0.0.1:0", AdminClientSecret: "fixed", SeqeraToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	url := "http://" + l.Addr().String()
	c := &client{t: t, base: url, hc: (&client{}).hcDefault()}
	c.token = c.login(DefaultAdminClientID, "fixed")
	c.must(200, "GET", credsPath, nil)
	lines := s.EnvLines(url)
	want := []string{"export RUNAI_BASE_URL=" + url, "export RUNAI_CLIENT_ID=runai-sync-admin", "export RUNAI_CLIENT_SECRET=fixed",
		"export TOWER_API_ENDPOINT=" + url + "/api", "export TOWER_ACCESS_TOKEN=tok"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("EnvLines = %q", lines)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve after Close: %v", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Error("still listening after Close")
	}
}
