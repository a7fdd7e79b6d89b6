package accountsapp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/audit"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
	"minyi/internal/users"
)

// An account signed in with the office's initial password lands on the
// password page, without the navigation, whatever it asked for, until it
// sets its own; then it goes where it was going.
func TestBrowserTemporaryPasswordMustBeChanged(t *testing.T) {
	const phone = 375
	ctx := browser.New(t, browser.Options{Width: phone, Height: 800})
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	cred, err := users.IssueUser(context.Background(), app.Pool, audit.System, users.NewUser{Username: "leader1", Role: users.RoleLeader})
	if err != nil {
		t.Fatal(err)
	}
	browsertest.SignIn(t, ctx, app.URL, "leader1", cred.Password)
	browsertest.Do(t, ctx, "open the units", chromedp.Navigate(app.URL+"/console/units"), chromedp.WaitVisible(chromedp.ID("new_password")))
	if path := browsertest.Eval[string](t, ctx, `location.pathname + location.search`); path != "/console/password?next=%2Fconsole%2Funits" {
		t.Errorf("sent to %s", path)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("nav.nav").length`); n != 0 {
		t.Error("the forced password page shows the navigation")
	}
	if txt := browsertest.Text(t, ctx, ".alert-warn"); !strings.Contains(txt, "临时密码") {
		t.Errorf("the page does not say why: %q", txt)
	}
	if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > phone {
		t.Errorf("the password page is %d px wide on a %d px phone", sw, phone)
	}
	fill := func(current, next, confirm string) {
		// The form's page has a main too, as every page has.
		browsertest.Do(t, ctx, "fill the form",
			chromedp.SetValue(chromedp.ID("current_password"), current), chromedp.SetValue(chromedp.ID("new_password"), next),
			chromedp.SetValue(chromedp.ID("confirm_password"), confirm),
			browsertest.LeadsTo(chromedp.Submit(chromedp.ID("confirm_password")), "main"))
	}
	fill(cred.Password, "meadow-lantern-4", "meadow-lantern-5")
	if txt := browsertest.Text(t, ctx, "main"); !strings.Contains(txt, "两次输入的新密码不一致") {
		t.Errorf("a mismatch is not explained: %q", txt)
	}
	fill(cred.Password, "leader1234", "leader1234")
	if txt := browsertest.Text(t, ctx, "main"); !strings.Contains(txt, "新密码不能与用户名相同") {
		t.Errorf("a weak password is not explained: %q", txt)
	}
	fill(cred.Password, "meadow-lantern-4", "meadow-lantern-4")
	browsertest.Do(t, ctx, "back to the units", chromedp.WaitVisible(chromedp.CSS("nav.nav")))
	if path := browsertest.Eval[string](t, ctx, `location.pathname`); path != "/console/units" {
		t.Errorf("after the change: %s", path)
	}
	if txt := browsertest.Text(t, ctx, "main"); !strings.Contains(txt, "密码已修改") {
		t.Errorf("no confirmation after the change: %q", txt)
	}
	if role := browsertest.Text(t, ctx, ".who-name small"); role != "领导（只读）" {
		t.Errorf("role label %q", role)
	}
}
