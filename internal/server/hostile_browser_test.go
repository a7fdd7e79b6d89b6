package server_test

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserPagesRunUnderCSP opens the citizen's rating page and the
// console in Chromium with the content security policy in force: the
// rating page's script works (reasons appear for 不满意) and keeps a draft
// without the phone that expires after 30 minutes; the console's confirm
// prompts (now in /static/console.js) still guard their buttons; and the
// browser reports no refused script or error on any page.
func TestBrowserPagesRunUnderCSP(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900})
	f := fixtures.NewPubFixture(t, apptest.Options{})
	v := browsertest.WatchConsole(t, ctx)
	ratePage := f.App.URL + "/q/" + f.Code

	// The rating page: the script runs, the draft keeps no phone.
	browsertest.Do(t, ctx, "fill in the rating form", chromedp.Navigate(ratePage), chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(browsertest.LevelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(browsertest.ReasonBox("等候时间长")), browsertest.OpenMessage(),
		chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), "排队两小时"),
		chromedp.SendKeys(chromedp.CSS("input[name=phone]"), "13812345678"))
	var draft struct {
		T       float64
		Level   int
		Comment string
		Phone   *string
		Reasons []string
	}
	raw := browsertest.Eval[string](t, ctx, `localStorage.getItem('minyi:`+f.Code+`') || ''`)
	if err := json.Unmarshal([]byte(raw), &draft); err != nil {
		t.Fatalf("draft %q: %v", raw, err)
	}
	if draft.Level != 2 || draft.Comment != "排队两小时" || draft.T == 0 || len(draft.Reasons) != 1 {
		t.Errorf("draft %s", raw)
	}
	if draft.Phone != nil || strings.Contains(raw, "13812345678") {
		t.Errorf("the draft keeps the phone: %s", raw)
	}
	// A reload brings the draft back, without the phone.
	browsertest.Do(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("reasons-card")))
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('textarea[name=comment]').value`); got != "排队两小时" {
		t.Errorf("comment after reload %q", got)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('input[name=phone]').value`); got != "" {
		t.Errorf("phone after reload %q", got)
	}
	// Half an hour later the draft is gone.
	browsertest.Eval[bool](t, ctx, `(function(){var k='minyi:`+f.Code+`',d=JSON.parse(localStorage.getItem(k));d.t-=31*60*1000;
		localStorage.setItem(k,JSON.stringify(d));return true})()`)
	browsertest.Do(t, ctx, "reload after 31 minutes", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("submit")))
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('textarea[name=comment]').value`); got != "" {
		t.Errorf("a 31-minute-old draft came back: %q", got)
	}
	if browsertest.Eval[bool](t, ctx, `localStorage.getItem('minyi:`+f.Code+`') !== null`) {
		t.Error("the expired draft is still stored")
	}
	// Submitting clears the draft on the thanks page.
	browsertest.Do(t, ctx, "rate", chromedp.Click(browsertest.LevelRadio("5")))
	if status := browsertest.Submit(t, ctx); status != 200 {
		t.Fatalf("thanks page: %d", status)
	}
	if browsertest.Eval[bool](t, ctx, `localStorage.getItem('minyi:`+f.Code+`') !== null`) {
		t.Error("the thanks page left the draft")
	}
	v.Check(t, "rating pages")

	// The console: a confirm prompt guards rotating the QR code.
	browsertest.SignIn(t, ctx, f.App.URL, "office1", "office-pass-1")
	var accept, prompts atomic.Int32
	dialogs := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			if strings.Contains(ev.Message, "二维码") {
				prompts.Add(1)
			}
			chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: accept.Load() == 1}) //nolint:errcheck
		}
	}()
	unitPage := f.App.URL + "/console/units/" + apptest.Itoa(f.UnitID)
	rotate := chromedp.CSS(`form[action$="/rotate"] button`)
	browsertest.Do(t, ctx, "open the unit page and cancel the rotation", chromedp.Navigate(unitPage), chromedp.WaitVisible(rotate),
		chromedp.Click(rotate))
	if code := currentCode(t, f); code != f.Code || prompts.Load() != 1 {
		t.Fatalf("after cancelling: code %q (was %q), %d prompts", code, f.Code, prompts.Load())
	}
	accept.Store(1)
	browsertest.Do(t, ctx, "rotate after confirming", chromedp.Click(rotate), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if code := currentCode(t, f); code == f.Code || prompts.Load() != 2 {
		t.Fatalf("after confirming: code %q (was %q), %d prompts", code, f.Code, prompts.Load())
	}
	browsertest.Do(t, ctx, "open more console pages", chromedp.Navigate(f.App.URL+"/console/units"), chromedp.WaitVisible(chromedp.CSS("main")),
		chromedp.Navigate(f.App.URL+"/console/ratings"), chromedp.WaitVisible(chromedp.CSS("main")),
		chromedp.Navigate(f.App.URL+"/console/audit"), chromedp.WaitVisible(chromedp.CSS("main")))
	v.Check(t, "console pages")
}

// currentCode reads the unit's QR code through the API.
func currentCode(t *testing.T, f *fixtures.PubFixture) string {
	t.Helper()
	var u struct{ QR struct{ Code string } }
	f.Office.JSON(t, "GET", "/api/v1/units/"+apptest.Itoa(f.UnitID), nil, &u)
	return u.QR.Code
}
