package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/runai-sync/runai-sync/emulator"
)

// emuLogin returns an admin token of the emulator.
func emuLogin(emu *emulator.Instance) (string, error) {
	body := `{"grantType":"client_credentials","clientId":"` + emu.ClientID + `","clientSecret":"` + emu.ClientSecret + `"}`
	req, _ := http.NewRequest("POST", emu.URL+"/api/v1/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	var tok struct {
		AccessToken string `json:"accessToken"`
	}
	return tok.AccessToken, doJSON(req, &tok)
}

func doJSON(req *http.Request, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
