package main

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/runai-sync/runai-sync/audit"
)

// emuAge sets createdAt and lastLogin through POST /_emulator/age, as ages
// before now: "emu age sa ci-bot created=91d login=never". KIND is sa (a
// service account), key (any user's access key) or a credential type.
func emuAge(ts *testscript.TestScript, e *scriptEmulator, kind, name string, sets []string) {
	var id string
	switch kind {
	case "sa", "key":
		path, field := "/api/v1/service-accounts", ""
		if kind == "key" {
			path, field = "/api/v1/administration/access-keys", "accessKeys"
		}
		status, body := e.call(ts, "GET", path, nil)
		if status != 200 {
			ts.Fatalf("list %s: %d %s", path, status, body)
		}
		var list []struct{ ID, Name string }
		if field != "" {
			var wrapped map[string]json.RawMessage
			ts.Check(json.Unmarshal(body, &wrapped))
			body = wrapped[field]
		}
		ts.Check(json.Unmarshal(body, &list))
		for _, x := range list {
			if x.Name == name {
				id = x.ID
			}
		}
		if id == "" {
			ts.Fatalf("no %s named %s", kind, name)
		}
	default:
		id, _ = e.asset(ts, kind, name)
	}
	req := map[string]any{"id": id}
	for _, s := range sets {
		field, val, _ := strings.Cut(s, "=")
		if field == "login" {
			field = "lastLogin"
		} else if field == "created" {
			field = "createdAt"
		}
		if val == "never" {
			req[field] = nil
			continue
		}
		d, err := audit.ParseDuration(val)
		ts.Check(err)
		req[field] = time.Now().Add(-time.Duration(d)).UTC().Format(time.RFC3339)
	}
	if status, body := e.call(ts, "POST", "/_emulator/age", req); status != 204 {
		ts.Fatalf("age %s %s: %d %s", kind, name, status, body)
	}
}
