// Command demo is what `make demo` runs: it starts the emulator, applies the
// example tenant with the built binary, shows that the next plan is empty,
// changes something behind runai-sync's back through the API, and shows
// drift catching it (exit 2). It needs nothing but Go: no curl, no jq.
//
//	go run ./internal/demo [-bin bin/runai-sync]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/runai-sync/runai-sync/emulator"
)

func main() {
	bin := flag.String("bin", "bin/runai-sync", "the runai-sync binary to demonstrate")
	flag.Parse()
	if err := run(*bin); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

// demoSecrets stand in for the secrets a pipeline would hold.
var demoSecrets = map[string]string{
	"TEAM_A_S3_SECRET":        "demo-s3-secret-0001",
	"MODEL_REGISTRY_PASSWORD": "demo-registry-password-0002",
	"TEAM_B_NGC_API_KEY":      "demo-ngc-key-0003",
	"NGC_REGISTRY_TOKEN":      "demo-nvcr-token-0004",
	"GITHUB_PIPELINES_TOKEN":  "demo-github-token-0005",
}

func run(bin string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "runai-sync-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := os.CopyFS(filepath.Join(work, "examples"), os.DirFS(filepath.Join(repo, "examples"))); err != nil {
		return err
	}
	secretDir := filepath.Join(work, "examples", "tenant", "secrets")
	if err := os.MkdirAll(secretDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(secretDir, "wandb-api-key"), []byte("demo-wandb-key-0006\n"), 0o600); err != nil {
		return err
	}

	srv, err := emulator.New(emulator.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	l, err := srv.Listen()
	if err != nil {
		return err
	}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	url := "http://" + l.Addr().String()
	id, secret, seqera := srv.Credentials()
	env := append(os.Environ(), "NO_COLOR=1",
		"RUNAI_BASE_URL="+url, "RUNAI_CLIENT_ID="+id, "RUNAI_CLIENT_SECRET="+secret,
		"TOWER_API_ENDPOINT="+url+"/api", "TOWER_ACCESS_TOKEN="+seqera)
	for k, v := range demoSecrets {
		env = append(env, k+"="+v)
	}
	sh := &shell{bin: bin, dir: work, env: env}

	step("The emulated Run:ai and Seqera API is up at " + url + " (runai-sync emulator serves the same)")
	step("1. Validate the example tenant, offline")
	if err := sh.run(0, "validate", "-f", "examples/tenant/"); err != nil {
		return err
	}
	step("2. Plan, then apply: service accounts first, then the credentials that hold their secrets")
	if err := sh.run(0, "plan", "-f", "examples/tenant/", "--prune"); err != nil {
		return err
	}
	if err := sh.run(0, "apply", "-f", "examples/tenant/", "--prune", "--yes"); err != nil {
		return err
	}
	step("3. The next plan is empty (exit 0 with --detailed-exitcode)")
	if err := sh.run(0, "plan", "-f", "examples/tenant/", "--prune", "--detailed-exitcode"); err != nil {
		return err
	}
	step("4. Behind runai-sync's back: someone edits a description and adds a credential by hand")
	if err := behindTheBack(url, id, secret); err != nil {
		return err
	}
	step("5. drift catches both and exits 2")
	if err := sh.run(2, "drift", "-f", "examples/tenant/"); err != nil {
		return err
	}
	step("6. apply --prune repairs it; drift is quiet again")
	if err := sh.run(0, "apply", "-f", "examples/tenant/", "--prune", "--yes"); err != nil {
		return err
	}
	if err := sh.run(0, "drift", "-f", "examples/tenant/"); err != nil {
		return err
	}
	step("Done. The emulator stops with the demo; `runai-sync emulator` runs one for you to explore.")
	return nil
}

// step prints a heading, in bold on a terminal unless NO_COLOR is set.
func step(s string) {
	if os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(os.Stdout.Fd())) {
		fmt.Printf("\n\033[1m== %s\033[0m\n", s)
		return
	}
	fmt.Printf("\n== %s\n", s)
}

type shell struct {
	bin, dir string
	env      []string
}

// run shows and runs one runai-sync command, and checks its exit status.
func (s *shell) run(want int, args ...string) error {
	fmt.Printf("$ runai-sync %s\n", strings.Join(args, " "))
	cmd := exec.Command(s.bin, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = s.dir, s.env, os.Stdout, os.Stdout
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		return err
	}
	if code != want {
		return fmt.Errorf("runai-sync %s exited %d, want %d", strings.Join(args, " "), code, want)
	}
	if code != 0 {
		fmt.Printf("(exit status %d)\n", code)
	}
	return nil
}

// behindTheBack changes the live state through the API, as a person in the
// Run:ai UI would.
func behindTheBack(url, id, secret string) error {
	token, err := call(url, "", "POST", "/api/v1/token", map[string]string{"grantType": "client_credentials", "clientId": id, "clientSecret": secret})
	if err != nil {
		return err
	}
	var tok struct{ AccessToken string }
	if err := json.Unmarshal(token, &tok); err != nil {
		return err
	}
	list, err := call(url, tok.AccessToken, "GET", "/api/v1/asset/credentials/access-key?name=team-a-s3", nil)
	if err != nil {
		return err
	}
	var found struct {
		Entries []struct{ Meta struct{ ID string } }
	}
	if err := json.Unmarshal(list, &found); err != nil || len(found.Entries) != 1 {
		return fmt.Errorf("team-a-s3 not found: %v", err)
	}
	fmt.Println("PUT  /api/v1/asset/credentials/access-key/…  description: edited in the UI")
	if _, err := call(url, tok.AccessToken, "PUT", "/api/v1/asset/credentials/access-key/"+found.Entries[0].Meta.ID,
		map[string]any{"meta": map[string]any{"description": "edited in the UI"}}); err != nil {
		return err
	}
	fmt.Println("POST /api/v1/asset/credentials/password     hand-made-git in project 12")
	_, err = call(url, tok.AccessToken, "POST", "/api/v1/asset/credentials/password",
		map[string]any{"meta": map[string]any{"name": "hand-made-git", "scope": "project", "projectId": 12}, "spec": map[string]any{"existingSecretName": "git"}})
	return err
}

func call(url, token, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	return out, nil
}
