package main

import (
	"io"
	"net/http"
	"testing"
)

// testAdminToken is the --admin-token of the sidecars these tests start.
const testAdminToken = "T"

// adminGet GETs url with the admin token (the ledger and code lookups are
// admin endpoints) and fails the test on anything but 200.
func adminGet(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return resp
}
