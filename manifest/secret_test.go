package manifest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/runai-sync/runai-sync/manifest"
)

const value = "s3cr3t-VALUE-never-printed"

type holder struct {
	Exported   manifest.Secret
	unexported manifest.Secret
	Ptr        *manifest.Secret
	Ref        manifest.SecretRef
	unRef      manifest.SecretRef
	RefPtr     *manifest.SecretRef
	Map        map[string]manifest.SecretRef
	List       []manifest.Secret
}

func newHolder() holder {
	s := manifest.NewSecret(value)
	r := manifest.SecretRef{Literal: manifest.NewSecret(value)}
	return holder{s, s, &s, r, r, &r, map[string]manifest.SecretRef{"K": r}, []manifest.Secret{s}}
}

// TestSecretNeverPrinted formats secrets every way Go code can, alone and
// inside other values, and checks that the value never shows.
func TestSecretNeverPrinted(t *testing.T) {
	h := newHolder()
	var outputs []string
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%10s", "%-10v", "%p"}
	for _, v := range []any{h.Exported, h.Ptr, h.Ref, h.RefPtr, h, &h, h.Map, h.List, []any{h.Exported, h.Ref}} {
		for _, verb := range verbs {
			outputs = append(outputs, fmt.Sprintf(verb, v))
		}
		outputs = append(outputs, fmt.Sprint(v), fmt.Sprintln(v), fmt.Errorf("wrapped: %v", v).Error(),
			errors.Join(fmt.Errorf("%w", errors.New(fmt.Sprint(v)))).Error())
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", v, err)
		}
		outputs = append(outputs, string(b))
		y, err := yaml.Marshal(v)
		if err != nil {
			t.Fatalf("yaml.Marshal(%T): %v", v, err)
		}
		outputs = append(outputs, string(y))
	}
	var logged strings.Builder
	logger := log.New(&logged, "", 0)
	logger.Printf("%v %+v %#v", h, h, h)
	outputs = append(outputs, logged.String())
	text, _ := h.Exported.MarshalText()
	outputs = append(outputs, string(text))

	for _, out := range outputs {
		if strings.Contains(out, value) {
			t.Fatalf("secret value leaked into output: %s", out)
		}
	}
	if !strings.Contains(fmt.Sprint(h.Exported), manifest.Redacted) {
		t.Errorf("a Secret should print as %s, got %s", manifest.Redacted, fmt.Sprint(h.Exported))
	}
	if got := h.Exported.Reveal(); got != value {
		t.Errorf("Reveal() = %q, want the value", got)
	}
}

func TestSecretRefJSON(t *testing.T) {
	tests := []struct {
		in, source, out string
	}{
		{`"plain"`, "literal", `"(sensitive)"`},
		{`{"fromEnv":"TEAM_A"}`, "env TEAM_A", `{"fromEnv":"TEAM_A"}`},
		{`{"fromFile":"x/y"}`, "file x/y", `{"fromFile":"x/y"}`},
		{`{"fromServiceAccount":{"name":"ci","field":"clientSecret"}}`, "ServiceAccount ci/clientSecret", `{"fromServiceAccount":{"name":"ci","field":"clientSecret"}}`},
		{`{"fromAccessKey":{"name":"bot","field":"clientId"}}`, "AccessKey bot/clientId", `{"fromAccessKey":{"name":"bot","field":"clientId"}}`},
		{`{"fromFile":{"path":"k.bin","encoding":"base64"}}`, "file k.bin", `{"fromFile":{"path":"k.bin","encoding":"base64"}}`},
		{`{"fromFile":{"path":"k.txt"}}`, "file k.txt", `{"fromFile":"k.txt"}`},
		{`{"fromSops":{"file":"s.enc.yaml","key":"a.b"}}`, "sops s.enc.yaml#a.b", `{"fromSops":{"file":"s.enc.yaml","key":"a.b"}}`},
		{`{"fromCommand":{"command":["op","read","op://x"],"timeout":"5s"}}`, "command op", `{"fromCommand":{"command":["op","read","op://x"],"timeout":"5s"}}`},
	}
	for _, tt := range tests {
		var r manifest.SecretRef
		if err := json.Unmarshal([]byte(tt.in), &r); err != nil {
			t.Fatalf("unmarshal %s: %v", tt.in, err)
		}
		if got := r.Source(); got != tt.source {
			t.Errorf("Source() of %s = %q, want %q", tt.in, got, tt.source)
		}
		b, _ := json.Marshal(r)
		if string(b) != tt.out {
			t.Errorf("marshal of %s = %s, want %s", tt.in, b, tt.out)
		}
	}
	var r manifest.SecretRef
	if err := json.Unmarshal([]byte(`42`), &r); err == nil {
		t.Error("a number should not decode as a secret")
	}
}
