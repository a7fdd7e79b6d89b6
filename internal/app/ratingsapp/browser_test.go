package ratingsapp_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// reasonsShown reports whether the reasons section is displayed.
func reasonsShown(t *testing.T, ctx context.Context) bool {
	return browsertest.Eval[bool](t, ctx, `getComputedStyle(document.getElementById('reasons-card')).display !== 'none'`)
}

func TestBrowserRatesFromWeChat(t *testing.T) {
	ctx := browser.New(t, browser.Options{}) // first, so a skip costs nothing
	f := fixtures.NewPubFixture(t, apptest.Options{})
	page := f.App.URL + "/q/" + f.Code

	browsertest.Do(t, ctx, "open the rating page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("submit")))
	if title, _ := chromedp.Run(ctx, chromedp.Title()); !strings.Contains(title, "市行政审批局") {
		t.Errorf("title %q", title)
	}
	if h := browsertest.Text(t, ctx, "header h1"); h != "市行政审批局" {
		t.Errorf("header %q", h)
	}
	if ua := browsertest.Eval[string](t, ctx, `navigator.userAgent`); !strings.Contains(ua, "MicroMessenger/8.0") {
		t.Fatalf("user agent %q is not WeChat's", ua)
	}
	if w := browsertest.Eval[int](t, ctx, `window.innerWidth`); w > 480 {
		t.Fatalf("viewport is %d px wide, want a phone", w)
	}
	if reasonsShown(t, ctx) {
		t.Error("reasons are shown before a level is chosen")
	}

	// 不满意 shows the reasons; 非常满意 hides them and clears the ticks.
	browsertest.Do(t, ctx, "choose 不满意", chromedp.Click(browsertest.LevelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(browsertest.ReasonBox("等候时间长")))
	browsertest.Do(t, ctx, "choose 非常满意", chromedp.Click(browsertest.LevelRadio("5")), chromedp.WaitNotVisible(chromedp.ID("reasons-card")))
	if reasonsShown(t, ctx) || browsertest.Eval[bool](t, ctx, `document.querySelector('input[name=reasons]:checked') !== null`) {
		t.Fatal("level 5 still shows or keeps reasons")
	}
	comment, phone := "排队等了一个多小时，希望多开窗口。", "13812345678"
	browsertest.Do(t, ctx, "fill in 不满意",
		chromedp.Click(browsertest.LevelRadio("2")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(browsertest.ReasonBox("等候时间长")), chromedp.Click(chromedp.CSS("#more summary")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), comment),
		chromedp.SendKeys(chromedp.CSS("input[name=phone]"), phone))
	if status := browsertest.Submit(t, ctx); status != http.StatusOK {
		t.Fatalf("thanks page status %d", status)
	}
	if s := browsertest.Text(t, ctx, "#result"); !strings.Contains(s, "评价已提交") {
		t.Fatalf("after submitting the page says %q", s)
	}

	total, items := listRatings(t, f, f.Office, f.UnitID, "level=2")
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
	f.App.AddUser(t, "unit1", "unit-pass-1", "unit", &f.UnitID)
	staff := f.App.Client()
	staff.SignIn(t, "unit1", "unit-pass-1")
	if _, items := listRatings(t, f, staff, f.UnitID, "level=2"); len(items) != 1 || items[0].Phone != "138****5678" {
		t.Errorf("unit staff see %+v, want the phone masked as 138****5678", items)
	}

	browsertest.Do(t, ctx, "open the page again", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("result")))
	if s := browsertest.Text(t, ctx, "#result"); s != "您今天已经评价过该单位" {
		t.Fatalf("second visit says %q", s)
	}
}

func TestBrowserKeepsInputWhenDatabaseIsDown(t *testing.T) {
	ctx := browser.New(t, browser.Options{})
	f := fixtures.NewPubFixture(t, apptest.Options{WriterDatabaseURL: "postgres://postgres@127.0.0.1:1/x?connect_timeout=1"})
	comment, phone := "材料退回了三次，没有一次说清楚。", "0791-86001234"
	browsertest.Do(t, ctx, "fill in the form", chromedp.Navigate(f.App.URL+"/q/"+f.Code), chromedp.WaitVisible(chromedp.ID("submit")),
		chromedp.Click(browsertest.LevelRadio("1")), chromedp.WaitVisible(chromedp.ID("reasons-card")),
		chromedp.Click(browsertest.ReasonBox("办事指南不清")), chromedp.Click(chromedp.CSS("#more summary")),
		chromedp.SendKeys(chromedp.CSS("textarea[name=comment]"), comment),
		chromedp.SendKeys(chromedp.CSS("input[name=phone]"), phone))
	if status := browsertest.Submit(t, ctx); status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", status)
	}
	if s := browsertest.Text(t, ctx, "#message"); !strings.Contains(s, "系统繁忙") {
		t.Fatalf("message %q", s)
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('input[name=level][value="1"]').checked`) {
		t.Error("the chosen level was lost")
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('input[name=reasons][value="办事指南不清"]').checked`) || !reasonsShown(t, ctx) {
		t.Error("the ticked reason was lost")
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('textarea[name=comment]').value`); got != comment {
		t.Errorf("comment now %q", got)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('input[name=phone]').value`); got != phone {
		t.Errorf("phone now %q", got)
	}
	if browsertest.Eval[bool](t, ctx, `document.getElementById('submit').disabled`) {
		t.Error("the submit button stays disabled, so the citizen cannot try again")
	}
	if n := f.Stored(t, f.UnitID); n != 0 {
		t.Fatalf("stored %d ratings with the writer down", n)
	}
}
