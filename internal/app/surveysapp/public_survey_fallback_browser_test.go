package surveysapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// Without script the page is the one long form, refused with its errors in
// place and submitted as it is.
func TestBrowserSurveyWithoutScript(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 375, Height: 667})
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	v := fixtures.NewInvitee(t, apptest.Options{}, false)
	v.OpenSurvey(t, v.Survey.ID)
	shots := shotDir(t, "nojs")
	browsertest.Do(t, ctx, "open the invitation", chromedp.Navigate(v.App.URL+v.Path), chromedp.WaitVisible(chromedp.ID("submit")))
	units := pageUnits(t, ctx)
	if got := onScreen(t, ctx); len(got) != 2 {
		t.Fatalf("units on screen without script: %v", got)
	}
	if browsertest.Eval[bool](t, ctx, `[...document.querySelectorAll('.sv-nav, #review, #confirm, #pos')].some(n => n.offsetParent !== null)`) {
		t.Error("the script's controls show without script")
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('.sv-save').offsetParent !== null`) {
		t.Error("no save button without script")
	}
	a, b := units[0], units[1]
	res, err := chromedp.RunResponse(ctx, chromedp.Click(choice(a, "overall", "5")), chromedp.Click(chromedp.ID("submit")))
	if err != nil || res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("submitting with a unit missing: %v %v", res, err)
	}
	name := browsertest.Text(t, ctx, "#u"+apptest.Itoa(b)+" h2 span")
	if s := browsertest.Text(t, ctx, "#message"); !strings.Contains(s, "以下单位尚未评价总体满意度："+name) {
		t.Errorf("message %q", s)
	}
	if s := browsertest.Text(t, ctx, "#u"+apptest.Itoa(b)+" fieldset .err"); s != "请评价“"+name+"”的总体满意度" {
		t.Errorf("error beside the question %q", s)
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('input[name="u`+apptest.Itoa(a)+`.overall"][value="5"]').checked`) {
		t.Error("the first unit's answer is lost after the refusal")
	}
	shoot(t, ctx, shots, "1-refused")

	res, err = chromedp.RunResponse(ctx, chromedp.Click(choice(b, "overall", "3")), chromedp.Click(chromedp.ID("submit")))
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("submitting: %v %v", res, err)
	}
	if s := browsertest.Text(t, ctx, "#result"); s != "问卷已提交，感谢您的参与！" {
		t.Fatalf("after submitting the page says %q", s)
	}
	if got := stored(t, v.App); got[a] != "5:{}:" || got[b] != "3:{}:" {
		t.Errorf("stored %v", got)
	}
}

// When the drafts cannot reach the server, the answers stay on the phone:
// a reload brings them back, and the submission carries them.
func TestBrowserSurveyKeepsAnswersOffline(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 375, Height: 667})
	v := fixtures.NewInvitee(t, apptest.Options{}, true)
	v.OpenSurvey(t, v.Survey.ID)
	browsertest.Do(t, ctx, "open the invitation", chromedp.Navigate(v.App.URL+v.Path), chromedp.WaitVisible(chromedp.CSS(".sv-unit.on")))
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{
		URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/s/*/units/*", Block: true}}}); err != nil {
		t.Fatal(err)
	}
	units := pageUnits(t, ctx)
	a, b := units[0], units[1]
	opinion := "办事大厅停车难。"
	browsertest.Do(t, ctx, "answer with no connection",
		chromedp.Click(choice(a, "overall", "4")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="u`+apptest.Itoa(a)+`.opinion"]`), opinion),
		chromedp.Poll[chromedp.Void](`document.querySelector('#u`+apptest.Itoa(a)+` [data-state]').textContent.includes('暂存在本机')`))
	kept := `JSON.parse(localStorage.getItem('minyi-sv:` + v.Path + `/units/` + apptest.Itoa(a) + `') || 'null')`
	if got := browsertest.Eval[string](t, ctx, kept+`.answers.overall + ':' + `+kept+`.opinion`); got != "4:"+opinion {
		t.Errorf("kept on the phone %q", got)
	}

	// The phone opens the link again (a new tab, as after WeChat closed the
	// page): the server has nothing, the phone brings the answers back, and
	// the page opens where the respondent left off.
	tab, closeTab := chromedp.NewContext(ctx)
	defer closeTab()
	browsertest.Do(t, tab, "open the link again", chromedp.Navigate(v.App.URL+v.Path), showing(b))
	radio := `document.querySelector('input[name="u` + apptest.Itoa(a) + `.overall"][value="4"]')`
	box := `document.querySelector('textarea[name="u` + apptest.Itoa(a) + `.opinion"]')`
	if got := browsertest.Eval[string](t, tab, `[`+radio+`.defaultChecked, `+radio+`.checked, `+box+`.defaultValue, `+box+`.value].join('|')`); got != "false|true||"+opinion {
		t.Errorf("answers in the new tab (server's, shown) = %q, want the phone's answers over the server's nothing", got)
	}
	ctx = tab
	browsertest.Do(t, ctx, "finish and submit",
		chromedp.Click(choice(b, "overall", "2")), next(b), showing(0),
		chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("confirm-yes")))
	if res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("confirm-yes"))); err != nil || res.Status != http.StatusOK {
		t.Fatalf("submitting: %v %v", res, err)
	}
	if got := stored(t, v.App); got[a] != "4:{}:"+opinion || got[b] != "2:{}:" {
		t.Errorf("stored %v", got)
	}
	if n := browsertest.Eval[int](t, ctx, `Object.keys(localStorage).filter(k => k.startsWith('minyi-sv:')).length`); n != 0 {
		t.Errorf("%d answers still kept on the phone after submitting", n)
	}
}
