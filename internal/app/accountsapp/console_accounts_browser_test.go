package accountsapp_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// The office creates an account in the console and gets its credential
// letter; gives every unit without an account one; disables an account
// after confirming, which signs its holder out.
func TestBrowserOfficeManagesAccounts(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 1440, Height: 900})
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	base := w.App.URL
	browsertest.SignIn(t, ctx, base, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open the accounts", chromedp.Navigate(base+"/console/accounts"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("tbody tr").length`); n != 2 {
		t.Fatalf("the list shows %d accounts, want 2", n)
	}
	// A bad mobile number is refused with the form kept open and filled.
	browsertest.Do(t, ctx, "create with a bad mobile",
		chromedp.Click(chromedp.CSS("#new summary")), chromedp.WaitVisible(chromedp.ID("a-username")),
		chromedp.SendKeys(chromedp.ID("a-username"), "zhang3"), chromedp.SendKeys(chromedp.ID("a-name"), "张三"),
		chromedp.SetValue(chromedp.ID("a-unit"), apptest.Itoa(w.B.ID)), chromedp.SendKeys(chromedp.ID("a-mobile"), "123"),
		chromedp.Submit(chromedp.ID("a-username")), chromedp.WaitVisible(chromedp.CSS(".has-err .err")))
	if txt := browsertest.Text(t, ctx, ".has-err .err"); !strings.Contains(txt, "手机号") {
		t.Errorf("the error says %q", txt)
	}
	if v := browsertest.Eval[string](t, ctx, `document.getElementById("a-name").value`); v != "张三" {
		t.Errorf("the name typed was lost: %q", v)
	}
	browsertest.Do(t, ctx, "create", chromedp.SetValue(chromedp.ID("a-mobile"), "13912345678"),
		chromedp.Submit(chromedp.ID("a-username")), chromedp.WaitVisible(chromedp.CSS("article.letter")))
	letter := browsertest.Text(t, ctx, "article.letter")
	for _, want := range []string{"账 号 通 知 书", "张三", "zhang3", "市税务局", "初始密码"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the letter lacks %q: %s", want, letter)
		}
	}
	password := browsertest.Text(t, ctx, "article.letter dd.cred:last-of-type")
	w.App.Client().SignIn(t, "zhang3", strings.TrimSpace(password)) // the letter's password signs in

	// Every unit has an account now: the bulk button creates none.
	browsertest.Do(t, ctx, "issue for every unit", chromedp.Navigate(base+"/console/accounts"), chromedp.WaitVisible(chromedp.CSS("main h1")),
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`form[action="/console/accounts/unit-accounts"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if txt := browsertest.Text(t, ctx, ".alert-ok"); !strings.Contains(txt, "没有新建") {
		t.Errorf("the bulk button says %q", txt)
	}

	// Disable zhang3: asked first; a refusal changes nothing.
	id := w.App.Count(t, `SELECT id FROM users WHERE username = 'zhang3'`)
	disable := chromedp.CSS(`form[action$="/disable"] button`)
	browsertest.Do(t, ctx, "refuse the confirmation", chromedp.Navigate(base+"/console/accounts/"+apptest.Itoa(int64(id))),
		chromedp.WaitVisible(disable), chromedp.Evaluate[chromedp.Void](`window.confirm = () => false`), chromedp.Click(disable))
	if n := w.App.Count(t, `SELECT count(*) FROM users WHERE username = 'zhang3' AND disabled_at IS NULL`); n != 1 {
		t.Fatal("the account was disabled though the office said no")
	}
	browsertest.Do(t, ctx, "disable", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`), chromedp.Click(disable),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if n := w.App.Count(t, `SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'zhang3'`); n != 0 {
		t.Errorf("the disabled account keeps %d sessions", n)
	}
	if txt := browsertest.Text(t, ctx, "main"); !strings.Contains(txt, "已停用") || !strings.Contains(txt, "重新启用") {
		t.Errorf("the page after disabling: %q", txt)
	}
}
