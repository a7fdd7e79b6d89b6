package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/browser"
)

// violations records what the browser refused or failed on: CSP reports,
// other console errors and uncaught exceptions.
type violations struct {
	mu   sync.Mutex
	list []string
}

func watchViolations(t *testing.T, ctx context.Context) *violations {
	t.Helper()
	v := &violations{}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				break // the site has none; browsers ask anyway
			}
			if ev.Entry.Level == log.EntryLevelError || strings.Contains(ev.Entry.Text, "Content Security Policy") {
				msg = string(ev.Entry.Source) + ": " + ev.Entry.Text
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		}
		if msg != "" {
			v.mu.Lock()
			v.list = append(v.list, msg)
			v.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (v *violations) check(t *testing.T, where string) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, m := range v.list {
		t.Errorf("%s: %s", where, m)
	}
	v.list = nil
}

// TestBrowserPagesRunUnderCSP opens the citizen's rating page and the
// console in Chromium with the content security policy in force: the
// rating page's script works (reasons appear for 不满意) and keeps a draft
// without the phone that expires after 30 minutes; the console's confirm
// prompts (now in /static/console.js) still guard their buttons; and the
// browser reports no refused script or error on any page.
func TestBrowserPagesRunUnderCSP(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900})
	f := newPubFixture(t, apptest.Options{})
	v := watchViolations(t, ctx)
	ratePage := f.app.URL + "/q/" + f.code

	// The rating page: the script runs, the draft keeps no phone.
	browserDo(t, ctx, "fill in the rating form", chromedp.Navigate(ratePage), chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(levelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(reasonBox("等候时间长")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), "排队两小时"),
		chromedp.SendKeys(chromedp.CSS("input[name=phone]"), "13812345678"))
	var draft struct {
		T       float64
		Level   int
		Comment string
		Phone   *string
		Reasons []string
	}
	raw := browserEval[string](t, ctx, `localStorage.getItem('minyi:`+f.code+`') || ''`)
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
	browserDo(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("reasons-card")))
	if got := browserEval[string](t, ctx, `document.querySelector('textarea[name=comment]').value`); got != "排队两小时" {
		t.Errorf("comment after reload %q", got)
	}
	if got := browserEval[string](t, ctx, `document.querySelector('input[name=phone]').value`); got != "" {
		t.Errorf("phone after reload %q", got)
	}
	// Half an hour later the draft is gone.
	browserEval[bool](t, ctx, `(function(){var k='minyi:`+f.code+`',d=JSON.parse(localStorage.getItem(k));d.t-=31*60*1000;
		localStorage.setItem(k,JSON.stringify(d));return true})()`)
	browserDo(t, ctx, "reload after 31 minutes", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("submit")))
	if got := browserEval[string](t, ctx, `document.querySelector('textarea[name=comment]').value`); got != "" {
		t.Errorf("a 31-minute-old draft came back: %q", got)
	}
	if browserEval[bool](t, ctx, `localStorage.getItem('minyi:`+f.code+`') !== null`) {
		t.Error("the expired draft is still stored")
	}
	// Submitting clears the draft on the thanks page.
	browserDo(t, ctx, "rate", chromedp.Click(levelRadio("5")))
	if status := browserSubmit(t, ctx); status != 200 {
		t.Fatalf("thanks page: %d", status)
	}
	if browserEval[bool](t, ctx, `localStorage.getItem('minyi:`+f.code+`') !== null`) {
		t.Error("the thanks page left the draft")
	}
	v.check(t, "rating pages")

	// The console: a confirm prompt guards rotating the QR code.
	browserSignIn(t, ctx, f.app.URL, "office1", "office-pass-1")
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
	unitPage := f.app.URL + "/console/units/" + itoa(f.unitID)
	rotate := chromedp.CSS(`form[action$="/rotate"] button`)
	browserDo(t, ctx, "open the unit page and cancel the rotation", chromedp.Navigate(unitPage), chromedp.WaitVisible(rotate),
		chromedp.Click(rotate))
	if code := currentCode(t, f); code != f.code || prompts.Load() != 1 {
		t.Fatalf("after cancelling: code %q (was %q), %d prompts", code, f.code, prompts.Load())
	}
	accept.Store(1)
	browserDo(t, ctx, "rotate after confirming", chromedp.Click(rotate), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if code := currentCode(t, f); code == f.code || prompts.Load() != 2 {
		t.Fatalf("after confirming: code %q (was %q), %d prompts", code, f.code, prompts.Load())
	}
	browserDo(t, ctx, "open more console pages", chromedp.Navigate(f.app.URL+"/console/units"), chromedp.WaitVisible(chromedp.CSS("main")),
		chromedp.Navigate(f.app.URL+"/console/ratings"), chromedp.WaitVisible(chromedp.CSS("main")),
		chromedp.Navigate(f.app.URL+"/console/audit"), chromedp.WaitVisible(chromedp.CSS("main")))
	v.check(t, "console pages")
}

// currentCode reads the unit's QR code through the API.
func currentCode(t *testing.T, f *pubFixture) string {
	t.Helper()
	var u struct{ QR struct{ Code string } }
	f.office.JSON(t, "GET", "/api/v1/units/"+itoa(f.unitID), nil, &u)
	return u.QR.Code
}
