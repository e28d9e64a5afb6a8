package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/manifest"
)

// literalSecrets collects the literal values written in secret fields of a
// document, read from its raw value so that invalid documents count too.
func literalSecrets(d *manifest.Document) []string {
	root, _ := d.Value.(map[string]any)
	spec, _ := root["spec"].(map[string]any)
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && len(s) >= 4 {
			out = append(out, s)
		}
	}
	for _, f := range []string{"secretAccessKey", "password", "ngc_api_key"} {
		add(spec[f])
	}
	if kv, ok := spec["keyValuePairs"].(map[string]any); ok {
		for _, v := range kv {
			add(v)
		}
	}
	if keys, ok := spec["keys"].(map[string]any); ok {
		provider, _ := spec["provider"].(string)
		for k, v := range keys {
			if f, ok := manifest.SeqeraKeyField(provider, k); ok && f.Secret {
				add(v)
			}
		}
	}
	return out
}

// TestValidateNeverPrintsSecrets validates every example and every broken
// manifest and checks that no literal secret value of theirs is printed.
func TestValidateNeverPrintsSecrets(t *testing.T) {
	var paths []string
	for _, pattern := range []string{"../../examples/*/*.yaml", "../../testdata/invalid/*.yaml", "../../testdata/invalid/*/*.yaml"} {
		m, _ := filepath.Glob(pattern)
		paths = append(paths, m...)
	}
	checked := 0
	for _, p := range paths {
		docs, _ := manifest.Read(p)
		var secrets []string
		for _, d := range docs {
			secrets = append(secrets, literalSecrets(d)...)
		}
		var stdout, stderr bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: os.Getenv}
		run(context.Background(), []string{"validate", "-f", p}, env)
		for _, s := range secrets {
			checked++
			if strings.Contains(stdout.String()+stderr.String(), s) {
				t.Errorf("validate -f %s printed the secret value of one of its fields", p)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no literal secret found in the test manifests: the check checks nothing")
	}
}
