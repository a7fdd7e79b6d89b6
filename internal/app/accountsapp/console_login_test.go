package accountsapp_test

import (
	"net/http"
	"net/url"
	"testing"

	"minyi/internal/testutil/apptest"
)

func TestConsoleLogin(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := app.Client()

	p := apptest.FormLogin(t, c, "office1", "wrong-password", "")
	if p.Status != http.StatusUnauthorized || !p.Has("用户名或密码错误") || !p.Has(`value="office1"`) {
		t.Fatalf("wrong password: %d, error shown %v, username kept %v", p.Status, p.Has("用户名或密码错误"), p.Has(`value="office1"`))
	}
	if p := apptest.FormLogin(t, c, "", "", ""); p.Status != http.StatusUnprocessableEntity || !p.Has("请填写用户名") || !p.Has("请填写密码") {
		t.Fatalf("empty form: %d", p.Status)
	}
	if p := apptest.DoPage(t, c, "POST", "/login", url.Values{"username": {"office1"}, "password": {"office-pass-1"}}); p.Status != http.StatusForbidden {
		t.Fatalf("sign-in without the form token: %d, want 403", p.Status)
	}
	for next, want := range map[string]string{
		"/console/units?category=x": "/console/units?category=x",
		"https://evil.example/":     "/console",
		"//evil.example/x":          "/console",
		"/\\evil.example":           "/console",
	} {
		c := app.Client()
		if p := apptest.FormLogin(t, c, "office1", "office-pass-1", next); p.Status != http.StatusSeeOther || p.Location != want {
			t.Errorf("next=%q: %d %q, want 303 %q", next, p.Status, p.Location, want)
		}
	}
	c = apptest.SignedIn(t, app, "office1", "office-pass-1")
	if p := apptest.Get(t, c, "/login"); p.Status != http.StatusSeeOther || p.Location != "/console" {
		t.Errorf("login page when signed in: %d %q", p.Status, p.Location)
	}
	if p := apptest.Post(t, c, "/logout", nil); p.Status != http.StatusSeeOther || p.Location != "/login" {
		t.Fatalf("logout: %d %q", p.Status, p.Location)
	}
	if p := apptest.Get(t, c, "/console"); p.Status != http.StatusSeeOther {
		t.Fatalf("console after logout: %d", p.Status)
	}
}
