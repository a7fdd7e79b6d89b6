package searchapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// The search page in headless Chromium: the office opens it from the top
// bar, searches 态度 and sees the messages that hold it with the word
// marked, and none that holds its two characters apart; a unit's staff
// see their own unit's only.
func TestBrowserSearchPage(t *testing.T) {
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	w := newSearchWorld(t)
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open search from the top bar", chromedp.Click(chromedp.ID("search-link")),
		chromedp.WaitVisible(chromedp.ID("s-q")), chromedp.SendKeys(chromedp.ID("s-q"), "态度"),
		chromedp.Submit(chromedp.ID("s-q")), chromedp.WaitVisible(chromedp.ID("hits-ratings")))
	marks := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#hits-ratings mark')].map(m => m.textContent)`)
	if len(marks) != 3 {
		t.Fatalf("office: %d marked hits %v, want 3", len(marks), marks)
	}
	for _, m := range marks {
		if m != "态度" {
			t.Fatalf("marked %q", m)
		}
	}
	if text := browsertest.Text(t, ctx, "#hits-ratings"); contains(text, "温度") || !contains(text, "服务态度差") {
		t.Fatalf("office's rating hits: %s", text)
	}
	browsertest.Do(t, ctx, "all ratings of the keyword", chromedp.Click(chromedp.CSS(`#hits-ratings .section-head a`)),
		chromedp.WaitVisible(chromedp.ID("f-q")))
	if v := browsertest.Eval[string](t, ctx, `document.getElementById('f-q').value`); v != "态度" {
		t.Fatalf("the feed's keyword box holds %q", v)
	}
	browsertest.Do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("username")))
	browsertest.SignIn(t, ctx, w.App.URL, "unit-b", "unit-pass-2")
	browsertest.Do(t, ctx, "unit B searches", chromedp.Navigate(w.App.URL+"/console/search?q=%E6%80%81%E5%BA%A6"),
		chromedp.WaitVisible(chromedp.ID("hits-ratings")))
	if text := browsertest.Text(t, ctx, "#hits-ratings"); contains(text, "很好") || !contains(text, "服务态度差") {
		t.Fatalf("unit B's rating hits: %s", text)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
