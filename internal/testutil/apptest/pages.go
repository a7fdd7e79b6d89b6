package apptest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Page is a console response: status, redirect target, body and headers.
type Page struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

// Has reports whether the body contains s.
func (p Page) Has(s string) bool { return strings.Contains(p.Body, s) }

// DoPage sends a console request, the form url-encoded when not nil.
func DoPage(t *testing.T, c *Client, method, path string, form url.Values) Page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.App.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return SendPage(t, c, req)
}

// SendPage sends a console request and returns the page it answers with.
func SendPage(t *testing.T, c *Client, req *http.Request) Page {
	t.Helper()
	res, err := c.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return Page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b), Header: res.Header}
}

// Get fetches a console page.
func Get(t *testing.T, c *Client, path string) Page {
	t.Helper()
	return DoPage(t, c, "GET", path, nil)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// CSRF returns the form token shown on the page at path.
func CSRF(t *testing.T, c *Client, path string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(Get(t, c, path).Body)
	if m == nil {
		t.Fatalf("no _csrf field on %s", path)
	}
	return m[1]
}

// Post submits a console form with the session's CSRF token.
func Post(t *testing.T, c *Client, path string, form url.Values) Page {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", CSRF(t, c, "/console"))
	return DoPage(t, c, "POST", path, form)
}

// FormLogin signs in through the sign-in page.
func FormLogin(t *testing.T, c *Client, username, password, next string) Page {
	t.Helper()
	token := CSRF(t, c, "/login")
	return DoPage(t, c, "POST", "/login", url.Values{"_csrf": {token}, "username": {username},
		"password": {password}, "next": {next}})
}

// SignedIn returns a new client signed in through the sign-in page.
func SignedIn(t *testing.T, app *App, username, password string) *Client {
	t.Helper()
	c := app.Client()
	if p := FormLogin(t, c, username, password, ""); p.Status != http.StatusSeeOther || p.Location != "/console" {
		t.Fatalf("sign in as %s: %d %q", username, p.Status, p.Location)
	}
	return c
}

// HasText reports whether the page has s, reading HTML escapes (html/template
// writes "+" as "&#43;").
func HasText(p Page, s string) bool { return strings.Contains(html.UnescapeString(p.Body), s) }

// PageText cuts a page for a failure message.
func PageText(body string) string {
	if len(body) > 2000 {
		return body[:2000] + "…"
	}
	return body
}
