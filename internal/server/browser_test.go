package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/browser"
)

// run runs the steps in the browser, failing the test on error.
func browserDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func browserEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text reads the text of the element the CSS selector finds.
func browserText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// reasonsShown reports whether the reasons section is displayed.
func reasonsShown(t *testing.T, ctx context.Context) bool {
	return browserEval[bool](t, ctx, `getComputedStyle(document.getElementById('reasons-card')).display !== 'none'`)
}

func levelRadio(l string) chromedp.CSS { return chromedp.CSS(`input[name=level][value="` + l + `"]`) }

func reasonBox(r string) chromedp.CSS { return chromedp.CSS(`input[name=reasons][value="` + r + `"]`) }

// submit clicks 提交评价 and returns the HTTP status of the page it leads to.
func browserSubmit(t *testing.T, ctx context.Context) int64 {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("submit")))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return res.Status
}

func TestBrowserRatesFromWeChat(t *testing.T) {
	ctx := browser.New(t, browser.Options{}) // first, so a skip costs nothing
	f := newPubFixture(t, apptest.Options{})
	page := f.app.URL + "/q/" + f.code

	browserDo(t, ctx, "open the rating page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("submit")))
	if title, _ := chromedp.Run(ctx, chromedp.Title()); !strings.Contains(title, "市行政审批局") {
		t.Errorf("title %q", title)
	}
	if h := browserText(t, ctx, "header h1"); h != "市行政审批局" {
		t.Errorf("header %q", h)
	}
	if ua := browserEval[string](t, ctx, `navigator.userAgent`); !strings.Contains(ua, "MicroMessenger/8.0") {
		t.Fatalf("user agent %q is not WeChat's", ua)
	}
	if w := browserEval[int](t, ctx, `window.innerWidth`); w > 480 {
		t.Fatalf("viewport is %d px wide, want a phone", w)
	}
	if reasonsShown(t, ctx) {
		t.Error("reasons are shown before a level is chosen")
	}

	// 不满意 shows the reasons; 非常满意 hides them and clears the ticks.
	browserDo(t, ctx, "choose 不满意", chromedp.Click(levelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(reasonBox("等候时间长")))
	browserDo(t, ctx, "choose 非常满意", chromedp.Click(levelRadio("5")), chromedp.WaitNotVisible(chromedp.ID("reasons-card")))
	if reasonsShown(t, ctx) || browserEval[bool](t, ctx, `document.querySelector('input[name=reasons]:checked') !== null`) {
		t.Fatal("level 5 still shows or keeps reasons")
	}
	comment, phone := "排队等了一个多小时，希望多开窗口。", "13812345678"
	browserDo(t, ctx, "fill in 不满意",
		chromedp.Click(levelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(reasonBox("等候时间长")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), comment),
		chromedp.SendKeys(chromedp.CSS("input[name=phone]"), phone))
	if status := browserSubmit(t, ctx); status != http.StatusOK {
		t.Fatalf("thanks page status %d", status)
	}
	if s := browserText(t, ctx, "#result"); !strings.Contains(s, "评价已提交") {
		t.Fatalf("after submitting the page says %q", s)
	}

	total, items := f.ratings(t, f.office, f.unitID, "level=2")
	if total != 1 {
		t.Fatalf("the API lists %d level-2 ratings, want 1", total)
	}
	r := items[0]
	if r.Channel != "qr" || r.Level != 2 || !slices.Equal(r.Reasons, []string{"等候时间长"}) || r.Comment != comment {
		t.Fatalf("stored %+v", r)
	}
	if r.Phone != phone {
		t.Errorf("office (allowed to call back) sees phone %q, want %q", r.Phone, phone)
	}
	f.app.AddUser(t, "unit1", "unit-pass-1", "unit", &f.unitID)
	staff := f.app.Client()
	staff.SignIn(t, "unit1", "unit-pass-1")
	if _, items := f.ratings(t, staff, f.unitID, "level=2"); len(items) != 1 || items[0].Phone != "138****5678" {
		t.Errorf("unit staff see %+v, want the phone masked as 138****5678", items)
	}

	browserDo(t, ctx, "open the page again", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("result")))
	if s := browserText(t, ctx, "#result"); s != "您今天已经评价过该单位" {
		t.Fatalf("second visit says %q", s)
	}
}

func TestBrowserKeepsInputWhenDatabaseIsDown(t *testing.T) {
	ctx := browser.New(t, browser.Options{})
	f := newPubFixture(t, apptest.Options{WriterDatabaseURL: "postgres://postgres@127.0.0.1:1/x?connect_timeout=1"})
	comment, phone := "材料退回了三次，没有一次说清楚。", "0791-86001234"
	browserDo(t, ctx, "fill in the form", chromedp.Navigate(f.app.URL+"/q/"+f.code), chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(levelRadio("1")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(reasonBox("办事指南不清")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), comment),
		chromedp.SendKeys(chromedp.CSS("input[name=phone]"), phone))
	if status := browserSubmit(t, ctx); status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", status)
	}
	if s := browserText(t, ctx, "#message"); !strings.Contains(s, "系统繁忙") {
		t.Fatalf("message %q", s)
	}
	if !browserEval[bool](t, ctx, `document.querySelector('input[name=level][value="1"]').checked`) {
		t.Error("the chosen level was lost")
	}
	if !browserEval[bool](t, ctx, `document.querySelector('input[name=reasons][value="办事指南不清"]').checked`) || !reasonsShown(t, ctx) {
		t.Error("the ticked reason was lost")
	}
	if got := browserEval[string](t, ctx, `document.querySelector('textarea[name=comment]').value`); got != comment {
		t.Errorf("comment now %q", got)
	}
	if got := browserEval[string](t, ctx, `document.querySelector('input[name=phone]').value`); got != phone {
		t.Errorf("phone now %q", got)
	}
	if browserEval[bool](t, ctx, `document.getElementById('submit').disabled`) {
		t.Error("the submit button stays disabled, so the citizen cannot try again")
	}
	if n := f.stored(t, f.unitID); n != 0 {
		t.Fatalf("stored %d ratings with the writer down", n)
	}
}
