package notifyapp_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// TestBrowserBellAndList: a unit account sees the bell with its two unread
// notifications (a case sent, then sent back), opens the list from the
// bell, follows one to the case, and marks the rest read.
func TestBrowserBellAndList(t *testing.T) {
	w := newWorld(t)
	w.answerAndReturn(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	browsertest.SignIn(t, ctx, w.App.URL, "unit-a2", "unit-pass-2")
	if got := browsertest.Text(t, ctx, "#bell-count"); got != "2" {
		t.Fatalf("bell shows %q, want 2", got)
	}
	browsertest.Do(t, ctx, "open the list from the bell", chromedp.Click(chromedp.ID("bell")),
		chromedp.WaitVisible(chromedp.ID("notifications")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll(".notice.unread").length`); n != 2 {
		t.Fatalf("%d unread items listed, want 2", n)
	}
	first := browsertest.Text(t, ctx, ".notice .notice-title")
	if want := "整改案件被退回：窗口人员态度生硬，市民留电话***"; first != want {
		t.Errorf("newest item %q, want %q", first, want)
	}
	browsertest.Do(t, ctx, "follow the newest to its case", chromedp.Click(chromedp.CSS(".notice .notice-title")),
		chromedp.WaitVisible(chromedp.ID("timeline")))
	if got := browsertest.Text(t, ctx, "#bell-count"); got != "1" {
		t.Fatalf("bell shows %q after opening one, want 1", got)
	}
	browsertest.Do(t, ctx, "mark all read", chromedp.Click(chromedp.ID("bell")), chromedp.WaitVisible(chromedp.ID("read-all")),
		chromedp.Click(chromedp.CSS("#read-all button")), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("#bell-count, .notice.unread").length`); n != 0 {
		t.Errorf("%d unread marks left after 全部标为已读", n)
	}
}
