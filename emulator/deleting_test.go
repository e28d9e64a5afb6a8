package emulator

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeleteDelay: with a delete delay a deleted credential stays listed as
// Deleting with deletedAt, its name taken (409), until the delay passes.
func TestDeleteDelay(t *testing.T) {
	clock := newClock()
	in, c := start(t, Options{Now: clock.Now, DeleteDelay: 10 * time.Second})
	aid := id(t, c.must(202, "POST", credsPath+"/access-key", accessKeyBody("slow", nil)))
	clock.Add(time.Second)
	c.must(202, "DELETE", credsPath+"/access-key/"+aid, nil)

	got := c.must(200, "GET", credsPath+"/access-key/"+aid+"?statusInfo=true", nil).json(t)
	meta := got["meta"].(map[string]any)
	if meta["deletedAt"] == nil || meta["deletedBy"] != AdminUser {
		t.Errorf("meta of a deleting asset = %v, want deletedAt and deletedBy", meta)
	}
	if st := got["status"].(map[string]any)["status"]; st != "Deleting" {
		t.Errorf("status = %v, want Deleting", st)
	}
	list := c.must(200, "GET", credsPath+"?statusInfo=true&name=slow", nil).json(t)["entries"].([]any)
	if len(list) != 1 {
		t.Fatalf("the deleting asset is not listed: %v", list)
	}
	r := c.must(409, "POST", credsPath+"/access-key", accessKeyBody("slow", nil))
	if !strings.Contains(r.message(), "is being deleted") {
		t.Errorf("409 message %q does not say the name is being deleted", r.message())
	}
	c.must(202, "DELETE", credsPath+"/access-key/"+aid, nil) // again: same answer
	if as := in.Server.Assets(); len(as) != 1 || !as[0].Deleting {
		t.Errorf("Assets() = %+v, want one asset being deleted", as)
	}

	clock.Add(10 * time.Second)
	c.must(404, "GET", credsPath+"/access-key/"+aid, nil)
	if n := len(c.must(200, "GET", credsPath+"?name=slow", nil).json(t)["entries"].([]any)); n != 0 {
		t.Errorf("%d entries after the delay, want none", n)
	}
	clock.Add(2 * time.Second)
	c.must(202, "POST", credsPath+"/access-key", accessKeyBody("slow", nil))

	ab := in.Server.Absences()
	if len(ab) != 1 || ab[0].Name != "access-key project/12 slow" || ab[0].Gaps != 1 || ab[0].Longest != 12*time.Second || ab[0].AbsentSince != nil {
		t.Errorf("Absences() = %+v, want one gap of 12s for access-key project/12 slow", ab)
	}
	stats := c.with("").must(http.StatusOK, "GET", "/_emulator/absences", nil).json(t)
	e, _ := stats["names"].(map[string]any)["access-key project/12 slow"].(map[string]any)
	if e == nil || e["longestMs"] != 12000.0 || e["gaps"] != 1.0 {
		t.Errorf("GET /_emulator/absences = %v", stats)
	}
}

// TestDeleteWithoutDelayIsImmediate: the default removes at once and still
// records the absence until the next create.
func TestDeleteWithoutDelayIsImmediate(t *testing.T) {
	clock := newClock()
	in, c := start(t, Options{Now: clock.Now})
	aid := id(t, c.must(202, "POST", credsPath+"/access-key", accessKeyBody("quick", nil)))
	c.must(202, "DELETE", credsPath+"/access-key/"+aid, nil)
	c.must(404, "GET", credsPath+"/access-key/"+aid, nil)
	ab := in.Server.Absences()
	if len(ab) != 1 || ab[0].AbsentSince == nil || ab[0].Gaps != 0 {
		t.Errorf("Absences() = %+v, want one name absent now", ab)
	}
}

// TestDeletingSurvivesRestart: an asset being deleted is still being
// deleted after a restart from the data file, and goes when its delay ends.
func TestDeletingSurvivesRestart(t *testing.T) {
	clock := newClock()
	file := filepath.Join(t.TempDir(), "state.json")
	in, c := start(t, Options{DataFile: file, Now: clock.Now, DeleteDelay: time.Minute})
	aid := id(t, c.must(202, "POST", credsPath+"/access-key", accessKeyBody("kept", nil)))
	c.must(202, "DELETE", credsPath+"/access-key/"+aid, nil)
	if err := in.Server.Close(); err != nil {
		t.Fatal(err)
	}
	_, c2 := start(t, Options{DataFile: file, Now: clock.Now, DeleteDelay: time.Minute})
	got := c2.must(200, "GET", credsPath+"/access-key/"+aid+"?statusInfo=true", nil).json(t)
	if st := got["status"].(map[string]any)["status"]; st != "Deleting" {
		t.Errorf("status after the restart = %v, want Deleting", st)
	}
	c2.must(409, "POST", credsPath+"/access-key", accessKeyBody("kept", nil))
	clock.Add(time.Minute)
	c2.must(404, "GET", credsPath+"/access-key/"+aid, nil)
	c2.must(202, "POST", credsPath+"/access-key", accessKeyBody("kept", nil))
}
