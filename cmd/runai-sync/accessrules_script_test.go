package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// emuAccessRules runs the emu subcommands of access rules, made and read
// through the API as the emulator's admin:
//
//	emu access-rule TYPE SUBJECT SCOPE ID ROLE...   create a rule (SUBJECT @FILE: the clientId of a delivered secret file; ID - for the tenant)
//	emu access-rules                                print every rule, one a line: TYPE SUBJECT ROLE on SCOPE ID (a service account by name)
func emuAccessRules(ts *testscript.TestScript, neg bool, e *scriptEmulator, args []string) {
	switch {
	case args[0] == "access-rule" && len(args) >= 6:
		subject := args[2]
		if file, ok := strings.CutPrefix(subject, "@"); ok {
			var f struct{ ClientID string }
			ts.Check(json.Unmarshal([]byte(ts.ReadFile(file)), &f))
			subject = f.ClientID
		}
		scopeID := args[4]
		if scopeID == "-" {
			scopeID = "1" // the emulator's tenant
		}
		body := map[string]any{"subjectType": args[1], "subjectId": subject, "roleId": e.roleID(ts, strings.Join(args[5:], " ")),
			"scopeType": args[3], "scopeId": scopeID}
		if status, out := e.call(ts, "POST", "/api/v1/authorization/access-rules", body); (status < 300) == neg {
			ts.Fatalf("create access rule: %d %s", status, out)
		}
	case args[0] == "access-rules":
		accounts := map[string]string{}
		status, out := e.call(ts, "GET", "/api/v1/service-accounts", nil)
		var sas []struct{ Name, ClientID string }
		if status != 200 || json.Unmarshal(out, &sas) != nil {
			ts.Fatalf("list service accounts: %d %s", status, out)
		}
		for _, sa := range sas {
			accounts[sa.ClientID] = sa.Name
		}
		status, out = e.call(ts, "GET", "/api/v1/authorization/access-rules?"+url.Values{"limit": {"500"}}.Encode(), nil)
		var list struct {
			AccessRules []struct{ SubjectType, SubjectID, RoleName, ScopeType, ScopeID string }
		}
		if status != 200 || json.Unmarshal(out, &list) != nil {
			ts.Fatalf("list access rules: %d %s", status, out)
		}
		var lines []string
		for _, r := range list.AccessRules {
			subject := r.SubjectID
			if name, ok := accounts[subject]; ok {
				subject = name
			}
			lines = append(lines, fmt.Sprintf("%s %s %s on %s %s", r.SubjectType, subject, r.RoleName, r.ScopeType, r.ScopeID))
		}
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Fprintln(ts.Stdout(), l)
		}
	default:
		ts.Fatalf("usage: emu access-rule TYPE SUBJECT SCOPE ID ROLE... | emu access-rules")
	}
}

// roleID finds a role's id by name.
func (e *scriptEmulator) roleID(ts *testscript.TestScript, name string) int32 {
	status, out := e.call(ts, "GET", "/api/v1/authorization/roles", nil)
	var roles []struct {
		ID   int32
		Name string
	}
	if status != 200 || json.Unmarshal(out, &roles) != nil {
		ts.Fatalf("list roles: %d %s", status, out)
	}
	for _, r := range roles {
		if r.Name == name {
			return r.ID
		}
	}
	ts.Fatalf("no role %q", name)
	return 0
}
