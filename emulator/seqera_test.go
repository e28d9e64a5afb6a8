package emulator

import (
	"bytes"
	"strings"
	"testing"
)

func seqeraClient(t *testing.T, opts Options) (*Instance, *client) {
	t.Helper()
	in, c := start(t, opts)
	return in, c.with(in.SeqeraToken)
}

func awsCred(name string) map[string]any {
	return map[string]any{"credentials": map[string]any{
		"name": name, "description": "bucket", "provider": "aws", "category": "cloud",
		"keys": map[string]any{"discriminator": "aws", "accessKey": "AKIASEQ", "secretKey": "SEQ-secret-" + name},
	}}
}

func TestSeqeraCRUD(t *testing.T) {
	in, c := seqeraClient(t, Options{})
	created := c.must(200, "POST", "/api/credentials", awsCred("s3")).json(t)
	cid, _ := created["credentialsId"].(string)
	if len(cid) != 22 {
		t.Fatalf("create reply = %v, want a 22-char credentialsId", created)
	}
	c.must(409, "POST", "/api/credentials", awsCred("s3"))

	got := c.must(200, "GET", "/api/credentials/"+cid, nil)
	m := got.json(t)["credentials"].(map[string]any)
	keys := m["keys"].(map[string]any)
	if m["name"] != "s3" || m["provider"] != "aws" || m["deleted"] != false || keys["accessKey"] != "AKIASEQ" || keys["discriminator"] != "aws" {
		t.Errorf("credential = %v", m)
	}
	list := c.must(200, "GET", "/api/credentials", nil)
	for _, body := range [][]byte{got.body, list.body} {
		if bytes.Contains(body, []byte("SEQ-secret")) {
			t.Errorf("secret leaked: %s", body)
		}
	}
	if s, _ := in.Server.StoredSecrets(cid); s["secretKey"] != "SEQ-secret-s3" {
		t.Errorf("StoredSecrets = %v", s)
	}

	upd := awsCred("s3-renamed")
	upd["credentials"].(map[string]any)["keys"] = map[string]any{"accessKey": "AKIANEW", "secretKey": "SEQ-secret-2"}
	c.must(204, "PUT", "/api/credentials/"+cid, upd)
	m = c.must(200, "GET", "/api/credentials/"+cid, nil).json(t)["credentials"].(map[string]any)
	if m["name"] != "s3-renamed" || m["keys"].(map[string]any)["accessKey"] != "AKIANEW" {
		t.Errorf("after PUT: %v", m)
	}
	if s, _ := in.Server.StoredSecrets(cid); s["secretKey"] != "SEQ-secret-2" {
		t.Errorf("PUT did not replace the keys: %v", s)
	}
	gh := awsCred("s3-renamed")
	gh["credentials"].(map[string]any)["provider"] = "github"
	gh["credentials"].(map[string]any)["keys"] = map[string]any{"username": "u", "password": "p"}
	if r := c.must(400, "PUT", "/api/credentials/"+cid, gh); !strings.Contains(r.message(), "provider cannot change") {
		t.Errorf("provider change: %s", r.body)
	}
	c.must(200, "POST", "/api/credentials", awsCred("other"))
	c.must(409, "PUT", "/api/credentials/"+cid, awsCred("other"))

	if err := in.Server.MarkSeqeraInUse(cid, SeqeraJob{ID: "4Jk2x", Name: "rnaseq"}); err != nil {
		t.Fatal(err)
	}
	conflict := c.must(409, "DELETE", "/api/credentials/"+cid+"?checked=true", nil).json(t)
	confs := conflict["conflicts"].([]any)
	if conflict["credentialsId"] != cid || len(confs) != 1 || confs[0].(map[string]any)["type"] != "workflow" || confs[0].(map[string]any)["name"] != "rnaseq" {
		t.Errorf("conflict = %v", conflict)
	}
	c.must(204, "DELETE", "/api/credentials/"+cid, nil)
	c.must(404, "GET", "/api/credentials/"+cid, nil)
	c.must(404, "DELETE", "/api/credentials/"+cid, nil)
}

func TestSeqeraSeedShape(t *testing.T) {
	_, c := seqeraClient(t, Options{SeqeraShape: SeqeraShapeSeed})
	r := c.must(200, "POST", "/api/credentials", awsCred("s3"))
	cr := r.json(t)["credentials"].(map[string]any)
	if cr["id"] == nil || cr["name"] != "s3" || bytes.Contains(r.body, []byte("SEQ-secret")) {
		t.Errorf("seed-shaped reply = %s", r.body)
	}
	if _, err := New(Options{SeqeraShape: "future"}); err == nil {
		t.Error("New accepted an unknown Seqera shape")
	}
}

// With SeqeraNoKeys no reply carries keys (the seed's GET shape), while the
// keys are still stored and replaced by PUT.
func TestSeqeraNoKeys(t *testing.T) {
	in, c := seqeraClient(t, Options{SeqeraNoKeys: true, SeqeraShape: SeqeraShapeSeed})
	created := c.must(200, "POST", "/api/credentials", awsCred("s3"))
	cid, _ := created.json(t)["credentials"].(map[string]any)["id"].(string)
	for _, r := range []resp{created, c.must(200, "GET", "/api/credentials/"+cid, nil), c.must(200, "GET", "/api/credentials", nil)} {
		if bytes.Contains(r.body, []byte(`"keys"`)) || bytes.Contains(r.body, []byte("AKIASEQ")) || !bytes.Contains(r.body, []byte(`"provider":"aws"`)) {
			t.Errorf("reply with SeqeraNoKeys: %s", r.body)
		}
	}
	if s, _ := in.Server.StoredSecrets(cid); s["secretKey"] != "SEQ-secret-s3" {
		t.Errorf("StoredSecrets = %v", s)
	}
}

func TestSeqeraWorkspacesAndAuth(t *testing.T) {
	in, c := seqeraClient(t, Options{})
	cid := c.must(200, "POST", "/api/credentials?workspaceId=1001", awsCred("ws")).json(t)["credentialsId"].(string)
	c.must(200, "POST", "/api/credentials?workspaceId=1002", awsCred("ws")) // same name, other workspace
	c.must(200, "POST", "/api/credentials", awsCred("ws"))                  // personal workspace
	c.must(404, "GET", "/api/credentials/"+cid, nil)
	c.must(404, "GET", "/api/credentials/"+cid+"?workspaceId=1002", nil)
	c.must(200, "GET", "/api/credentials/"+cid+"?workspaceId=1001", nil)
	if l := c.must(200, "GET", "/api/credentials?workspaceId=1001", nil).json(t)["credentials"].([]any); len(l) != 1 {
		t.Errorf("workspace 1001 lists %v", l)
	}
	c.must(403, "GET", "/api/credentials?workspaceId=7", nil)
	c.must(400, "GET", "/api/credentials?workspaceId=abc", nil)
	c.must(400, "GET", "/api/credentials?workspace=1001", nil)

	for _, tok := range []string{"", "wrong"} {
		r := c.with(tok).must(401, "GET", "/api/credentials", nil)
		if r.json(t)["message"] == nil {
			t.Errorf("401 body %s", r.body)
		}
	}
	// A Run:ai token is not a Seqera token, and the other way round.
	runai := c.login(in.ClientID, in.ClientSecret)
	c.with(runai).must(401, "GET", "/api/credentials", nil)
	c.must(401, "GET", "/api/v1/service-accounts", nil)
}

func TestSeqeraValidation(t *testing.T) {
	_, c := seqeraClient(t, Options{})
	cred := func(mut func(m map[string]any)) map[string]any {
		b := awsCred("v")
		mut(b["credentials"].(map[string]any))
		return b
	}
	cases := []struct {
		body    any
		mention string
	}{
		{map[string]any{}, `"credentials" is required`},
		{map[string]any{"credentials": map[string]any{}, "extra": 1}, `unknown field "extra"`},
		{cred(func(m map[string]any) { m["name"] = "" }), "credentials.name is required"},
		{cred(func(m map[string]any) { m["name"] = strings.Repeat("n", 101) }), "longer than 100"},
		{cred(func(m map[string]any) { m["category"] = strings.Repeat("c", 21) }), "longer than 20"},
		{cred(func(m map[string]any) { m["baseUrl"] = strings.Repeat("u", 201) }), "longer than 200"},
		{cred(func(m map[string]any) { m["provider"] = "dropbox" }), `provider "dropbox" is unknown`},
		{cred(func(m map[string]any) { delete(m, "keys") }), "credentials.keys is required"},
		{cred(func(m map[string]any) { m["keys"] = map[string]any{"discriminator": "azure"} }), "does not match provider"},
		{cred(func(m map[string]any) { m["keys"] = map[string]any{"password": "x"} }), `unknown field "password" for provider aws`},
		{cred(func(m map[string]any) { m["keys"] = map[string]any{"accessKey": 5} }), "must be a string"},
		{cred(func(m map[string]any) { m["colour"] = "red" }), `unknown field "colour"`},
		{cred(func(m map[string]any) { m["id"] = "abc" }), "must not be set on create"},
		{`{"credentials":`, "request body"},
	}
	for _, tc := range cases {
		r := c.do("POST", "/api/credentials", tc.body)
		if r.status != 400 || !strings.Contains(r.message(), tc.mention) {
			t.Errorf("%v: got %d %s, want 400 mentioning %q", tc.body, r.status, r.body, tc.mention)
		}
	}
	for prov, keys := range map[string]map[string]any{
		"azure":         {"batchName": "b", "storageName": "s", "batchKey": "k1", "storageKey": "k2"},
		"google":        {"data": "{}"},
		"gitlab":        {"username": "u", "password": "p", "token": "t"},
		"ssh":           {"privateKey": "pk", "passphrase": "pp"},
		"k8s":           {"certificate": "c", "privateKey": "pk", "token": "t"},
		"container-reg": {"userName": "u", "password": "p", "registry": "docker.io"},
		"codecommit":    {"username": "u", "password": "p"},
		"gitea":         {"username": "u", "password": "p"},
		"bitbucket":     {"username": "u", "password": "p"},
	} {
		c.must(200, "POST", "/api/credentials", map[string]any{"credentials": map[string]any{"name": prov, "provider": prov, "keys": keys}})
	}
}
