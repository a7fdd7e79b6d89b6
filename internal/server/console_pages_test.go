package server_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

// page is a console response: status, redirect target and body.
type page struct {
	Status   int
	Location string
	Body     string
}

func (p page) has(s string) bool { return strings.Contains(p.Body, s) }

func doPage(t *testing.T, c *apptest.Client, method, path string, form url.Values) page {
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
	res, err := c.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b)}
}

func get(t *testing.T, c *apptest.Client, path string) page {
	t.Helper()
	return doPage(t, c, "GET", path, nil)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns the form token shown on the page at path.
func csrf(t *testing.T, c *apptest.Client, path string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(get(t, c, path).Body)
	if m == nil {
		t.Fatalf("no _csrf field on %s", path)
	}
	return m[1]
}

// post submits a console form with the session's CSRF token.
func post(t *testing.T, c *apptest.Client, path string, form url.Values) page {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", csrf(t, c, "/console"))
	return doPage(t, c, "POST", path, form)
}

// formLogin signs in through the sign-in page.
func formLogin(t *testing.T, c *apptest.Client, username, password, next string) page {
	t.Helper()
	token := csrf(t, c, "/login")
	return doPage(t, c, "POST", "/login", url.Values{"_csrf": {token}, "username": {username},
		"password": {password}, "next": {next}})
}

func signedIn(t *testing.T, app *apptest.App, username, password string) *apptest.Client {
	t.Helper()
	c := app.Client()
	if p := formLogin(t, c, username, password, ""); p.Status != http.StatusSeeOther || p.Location != "/console" {
		t.Fatalf("sign in as %s: %d %q", username, p.Status, p.Location)
	}
	return c
}

type apiUnit struct {
	ID   int64
	Name string
	QR   struct{ Code, URL string }
}

func createUnit(t *testing.T, c *apptest.Client, name, category string) apiUnit {
	t.Helper()
	var u apiUnit
	if res := c.JSON(t, "POST", "/api/v1/units", map[string]string{"name": name, "category": category}, &u); res.StatusCode != http.StatusCreated {
		t.Fatalf("create unit %s: %d", name, res.StatusCode)
	}
	return u
}
