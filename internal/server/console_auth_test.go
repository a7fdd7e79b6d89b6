package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"minyi/internal/testutil/apptest"
)

func TestConsolePagesRequireLogin(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	c := app.Client()
	for _, path := range []string{"/console", "/console/units", "/console/units/1", "/console/units/1/poster",
		"/console/points/1/poster", "/console/ratings?channel=qr", "/console/audit"} {
		p := apptest.Get(t, c, path)
		if p.Status != http.StatusSeeOther || p.Location != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s: %d %q", path, p.Status, p.Location)
		}
	}
	if p := apptest.DoPage(t, c, "POST", "/console/units", url.Values{"name": {"x"}}); p.Status != http.StatusSeeOther {
		t.Errorf("POST without a session: %d", p.Status)
	}
}

func TestConsoleCSRF(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := apptest.SignedIn(t, app, "office1", "office-pass-1")
	form := url.Values{"name": {"市财政局"}, "category": {"经济发展类"}}
	if p := apptest.DoPage(t, c, "POST", "/console/units", form); p.Status != http.StatusForbidden {
		t.Fatalf("no token: %d", p.Status)
	}
	form.Set("_csrf", "forged")
	if p := apptest.DoPage(t, c, "POST", "/console/units", form); p.Status != http.StatusForbidden {
		t.Fatalf("wrong token: %d", p.Status)
	}
	if p := apptest.Get(t, c, "/console/units"); p.Has("市财政局") {
		t.Fatal("a unit was created without a valid token")
	}
}

func TestConsoleDatabaseDown(t *testing.T) {
	app := apptest.New(t, apptest.Options{DatabaseURLOverride: "postgres://postgres@127.0.0.1:1/none?sslmode=disable"})
	c := app.Client()
	if p := apptest.Get(t, c, "/login"); p.Status != http.StatusOK {
		t.Fatalf("login page with the database down: %d", p.Status)
	}
	if p := apptest.FormLogin(t, c, "office1", "office-pass-1", ""); p.Status != http.StatusServiceUnavailable || !p.Has("系统繁忙") {
		t.Fatalf("sign-in with the database down: %d", p.Status)
	}
	u, _ := url.Parse(app.URL)
	c.C.Jar.SetCookies(u, []*http.Cookie{{Name: "minyi_session", Value: "some-session-token"}})
	if p := apptest.Get(t, c, "/console/ratings"); p.Status != http.StatusServiceUnavailable || !p.Has("系统繁忙") || p.Has("dial") {
		t.Fatalf("console with the database down: %d\n%s", p.Status, p.Body)
	}
}
