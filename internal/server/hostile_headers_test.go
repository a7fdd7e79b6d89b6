package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

var inlineScriptRE = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// wantSecurityHeaders checks the browser-side protections of a response.
func wantSecurityHeaders(t *testing.T, what string, h http.Header, hsts bool) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	script := ""
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") {
			script = d
		}
	}
	switch {
	case script == "" || strings.Contains(script, "unsafe-inline") || strings.Contains(script, "unsafe-eval"):
		t.Errorf("%s: script-src %q (policy %q)", what, script, csp)
	case !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "object-src 'none'") ||
		!strings.Contains(csp, "base-uri 'none'") || !strings.Contains(csp, "form-action 'self'"):
		t.Errorf("%s: policy %q", what, csp)
	}
	if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
		t.Errorf("%s: X-Frame-Options %q, X-Content-Type-Options %q, Referrer-Policy %q", what,
			h.Get("X-Frame-Options"), h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
	}
	if got := h.Get("Strict-Transport-Security") != ""; got != hsts {
		t.Errorf("%s: HSTS %q, want it set: %v", what, h.Get("Strict-Transport-Security"), hsts)
	}
}

// wantScriptsAllowed checks that every inline script of the page is
// allowed by the response's policy, by its hash.
func wantScriptsAllowed(t *testing.T, what string, h http.Header, body string) {
	t.Helper()
	scripts := inlineScriptRE.FindAllStringSubmatch(body, -1)
	for _, m := range scripts {
		sum := sha256.Sum256([]byte(m[1]))
		if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(h.Get("Content-Security-Policy"), hash) {
			t.Errorf("%s: inline script %.60q… is not allowed by the policy (%s missing)", what, m[1], hash)
		}
	}
	if strings.Count(body, "<script") != len(scripts)+strings.Count(body, `<script src="/static/`) {
		t.Errorf("%s: a script tag the policy cannot allow", what)
	}
	if regexp.MustCompile(`(?i)\son[a-z]+\s*=`).MatchString(body) {
		t.Errorf("%s: an inline event handler (blocked by the policy)", what)
	}
}

func TestSecurityHeaders(t *testing.T) {
	v := fixtures.NewInvitee(t, apptest.Options{}, false)
	v.OpenSurvey(t, v.Survey.ID)
	var unit struct{ QR struct{ Code string } }
	if res := v.Office.JSON(t, "GET", "/api/v1/units/"+apptest.Itoa(v.A.ID), nil, &unit); res.StatusCode != http.StatusOK {
		t.Fatalf("unit: %d", res.StatusCode)
	}
	pages := []struct {
		c    *apptest.Client
		path string
	}{
		{v.Anon, "/q/" + unit.QR.Code}, {v.Anon, "/q/" + unit.QR.Code + "/thanks"}, {v.Anon, v.Path}, {v.Anon, "/login"},
		{v.Anon, "/cases"}, {v.Anon, "/nowhere"}, {v.Anon, "/static/console.css"}, {v.Anon, "/static/console.js"},
		{v.Anon, "/api/v1/units"}, {v.Anon, "/healthz"}, {v.Office, "/console"}, {v.Office, "/console/units/" + apptest.Itoa(v.A.ID)},
		{v.Office, "/console/surveys/" + apptest.Itoa(v.Survey.ID)}, {v.Office, "/api/v1/units"},
	}
	for _, p := range pages {
		pg := doPageHeaders(t, p.c, "GET", p.path)
		wantSecurityHeaders(t, p.path, pg.Header, false)
		if strings.HasPrefix(pg.Header.Get("Content-Type"), "text/html") {
			wantScriptsAllowed(t, p.path, pg.Header, pg.Body)
		}
	}
	// The invitation link keeps its stricter referrer policy.
	if got := doPageHeaders(t, v.Anon, "GET", v.Path).Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("invitation page Referrer-Policy %q", got)
	}
	// Static files: served with their type, never a directory listing.
	for _, path := range []string{"/static/", "/static", "/static/nothing.css", "/static/../web.go"} {
		pg := doPageHeaders(t, v.Anon, "GET", path)
		if moved := pg.Status == http.StatusMovedPermanently && pg.Location == "/static/"; (pg.Status != http.StatusNotFound && !moved) ||
			strings.Contains(pg.Body, "console.css") {
			t.Errorf("GET %s: %d %q %.200s", path, pg.Status, pg.Location, pg.Body)
		}
	}
	if pg := doPageHeaders(t, v.Anon, "GET", "/static/console.css"); pg.Status != http.StatusOK || !strings.HasPrefix(pg.Header.Get("Content-Type"), "text/css") {
		t.Errorf("console.css: %d %q", pg.Status, pg.Header.Get("Content-Type"))
	}

	// HSTS once the public address is https.
	app := apptest.New(t, apptest.Options{Env: map[string]string{"PUBLIC_BASE_URL": "https://minyi.example.gov.cn"}})
	wantSecurityHeaders(t, "https deployment", doPageHeaders(t, app.Client(), "GET", "/login").Header, true)
}

type headerPage struct {
	apptest.Page
	Header http.Header
}

func doPageHeaders(t *testing.T, c *apptest.Client, method, path string) headerPage {
	t.Helper()
	req, err := http.NewRequest(method, c.App.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return headerPage{apptest.Page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: b.String()}, res.Header}
}
