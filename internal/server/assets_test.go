package server_test

import (
	"net/http"
	"regexp"
	"testing"

	"minyi/internal/testutil/apptest"
)

// Pages link the console's files with their content hash, which the
// server answers with a year's caching; an address with another hash (an
// older instance answering for a newer page, or the reverse) is not kept,
// and a plain address for an hour.
func TestStaticFilesCarryTheirVersion(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	c := app.Client()
	login := doPageHeaders(t, c, "GET", "/login")
	m := regexp.MustCompile(`href="(/static/console\.css\?v=[0-9a-f]{10})"`).FindStringSubmatch(login.Body)
	if m == nil {
		t.Fatalf("the sign-in page does not link console.css with its version:\n%.600s", login.Body)
	}
	for path, want := range map[string]string{
		m[1]:                          "public, max-age=31536000, immutable",
		"/static/console.css?v=00000": "no-store",
		"/static/console.css":         "public, max-age=3600",
	} {
		pg := doPageHeaders(t, c, "GET", path)
		if pg.Status != http.StatusOK || pg.Header.Get("Cache-Control") != want {
			t.Errorf("GET %s: %d Cache-Control %q, want %q", path, pg.Status, pg.Header.Get("Cache-Control"), want)
		}
	}
}
