package resultsapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// TestBrowserReceiptsAndRanks drives the pages of issue 16's parts 5 and 6:
// the unit signs for its preliminary result on its result page, the office
// records a paper delivery on the receipts page and sees the counts, and
// moves a unit's place with a reason on its assessment page (a missing
// reason refused in Chinese).
func TestBrowserReceiptsAndRanks(t *testing.T) {
	w, _, c, _, _ := receiptWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 4 * time.Minute})
	results := w.App.URL + "/console/cycles/1/results"

	browsertest.SignIn(t, ctx, w.App.URL, "unit-a", "unit-pass-1")
	browsertest.Do(t, ctx, "open the own result", chromedp.Navigate(results+"/"+apptest.Itoa(w.A.ID)),
		chromedp.WaitVisible(chromedp.ID("sign")))
	if s := browsertest.Text(t, ctx, "#receipt-state"); s != "待签收" {
		t.Fatalf("state before signing: %q", s)
	}
	browsertest.Eval[bool](t, ctx, `(window.confirm = function () { return true; }, true)`)
	browsertest.Do(t, ctx, "sign", chromedp.Click(chromedp.ID("sign")), chromedp.WaitVisible(chromedp.ID("receipt-by")))
	if s := browsertest.Text(t, ctx, "#receipt-state"); s != "已签收" {
		t.Fatalf("state after signing: %q", s)
	}
	if s := browsertest.Text(t, ctx, "#window"); !strings.Contains(s, "自签收之日（2026-09-28）起5个工作日，截至2026-10-10") {
		t.Fatalf("window: %q", s)
	}
	browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("username")))

	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open the receipts", chromedp.Navigate(results+"/receipts?state=pending"),
		chromedp.WaitVisible(chromedp.ID("receipt-list")))
	browsertest.Eval[bool](t, ctx, `(function () {
		var f = document.querySelector('tr[data-unit="`+apptest.Itoa(w.B.ID)+`"] .delivery-form');
		f.querySelector('input[name=delivered_on]').value = '2026-09-28';
		return true; })()`)
	browsertest.Do(t, ctx, "record the delivery", chromedp.Click(chromedp.CSS(`tr[data-unit="`+apptest.Itoa(w.B.ID)+`"] .delivery-form button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-ok")), chromedp.WaitVisible(chromedp.ID("delivered-count")))
	if s := browsertest.Text(t, ctx, "#delivered-count"); s != "1" {
		t.Fatalf("delivered count: %q", s)
	}
	if s := browsertest.Text(t, ctx, "#signed-count"); s != "1" {
		t.Fatalf("signed count: %q", s)
	}

	assess := w.App.URL + "/console/cycles/1/assessment/units/" + apptest.Itoa(c.ID)
	browsertest.Do(t, ctx, "refused move", chromedp.Navigate(assess), chromedp.WaitVisible(chromedp.ID("rank-form")),
		chromedp.SendKeys(chromedp.ID("rk-to"), "1"), chromedp.Submit(chromedp.CSS("#rank-form button")),
		chromedp.WaitVisible(chromedp.CSS("#rank-form .err")))
	if s := browsertest.Text(t, ctx, "#rank-form .err"); !strings.Contains(s, "请填写位次调整的理由") {
		t.Fatalf("refusal: %q", s)
	}
	browsertest.Do(t, ctx, "move", chromedp.SendKeys(chromedp.ID("rk-reason"), "全市营商环境改革作出重大贡献"),
		chromedp.Submit(chromedp.CSS("#rank-form button")), chromedp.WaitVisible(chromedp.CSS("#rank-list tr[id^=rank-]")))
	if s := browsertest.Text(t, ctx, "#rank-list tbody"); !strings.Contains(s, "第1名") || !strings.Contains(s, "全市营商环境改革作出重大贡献") {
		t.Fatalf("rank list: %q", s)
	}
	browsertest.Do(t, ctx, "the ranking", chromedp.Navigate(results), chromedp.WaitVisible(chromedp.ID("rankings")))
	if s := browsertest.Text(t, ctx, `#rankings tr[data-unit="`+apptest.Itoa(c.ID)+`"]`); !strings.Contains(s, "调整") || !strings.Contains(s, "位次由第2名调整为第1名") {
		t.Fatalf("ranking row: %q", s)
	}
}
