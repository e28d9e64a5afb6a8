package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmulatorCommand starts `runai-sync emulator`, reads the export lines it
// prints first, logs in with them and lists credentials, as the README shows;
// then stops it and checks the data file survived.
func TestEmulatorCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "emu.json")
	pr, pw := io.Pipe()
	env := &Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard, Getenv: os.Getenv}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := &EmulatorCmd{Addr: "127.0.0.1:0", Data: data, SeqeraShape: "current"}
	done := make(chan error, 1)
	go func() { done <- cmd.serve(ctx, env, nil); pw.Close() }()

	vars := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(vars) < 5 && sc.Scan() {
		line := sc.Text()
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !strings.HasPrefix(line, "export ") || !ok {
			t.Fatalf("the emulator should print export lines first, got %q", line)
		}
		vars[name] = value
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	for _, name := range []string{"RUNAI_BASE_URL", "RUNAI_CLIENT_ID", "RUNAI_CLIENT_SECRET", "TOWER_API_ENDPOINT", "TOWER_ACCESS_TOKEN"} {
		if vars[name] == "" {
			t.Fatalf("no export line for %s: %v", name, vars)
		}
	}

	body := `{"grantType":"client_credentials","clientId":"` + vars["RUNAI_CLIENT_ID"] + `","clientSecret":"` + vars["RUNAI_CLIENT_SECRET"] + `"}`
	resp, err := http.Post(vars["RUNAI_BASE_URL"]+"/api/v1/token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ AccessToken string }
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", vars["RUNAI_BASE_URL"]+"/api/v1/asset/credentials", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Entries []any }
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if resp.StatusCode != 200 || list.Entries == nil {
		t.Fatalf("list credentials: %d", resp.StatusCode)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("emulator stopped with %v", err)
	}
	if info, err := os.Stat(data); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("data file after stop: %v %v", info, err)
	}
}
