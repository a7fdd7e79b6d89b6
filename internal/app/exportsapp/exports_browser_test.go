package exportsapp_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// In the browser: the feed's 导出 Excel over EXPORT_INLINE_MAX_ROWS goes
// on to 我的导出, which shows the job and, polling its progress, turns it
// into a download link when the worker is done.
func TestBrowserBackgroundExport(t *testing.T) {
	w := newWorld(t, map[string]string{"EXPORT_INLINE_MAX_ROWS": "5"})
	startWorker(t, w.App)
	ctx := browser.New(t, browser.Options{Width: 1440, Height: 900})
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "export the feed",
		chromedp.Navigate(w.App.URL+"/console/ratings?level=2"),
		chromedp.WaitVisible(chromedp.CSS(`a[data-export][href*="export.xlsx"]`)),
		chromedp.Click(chromedp.CSS(`a[data-export][href*="export.xlsx"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.exports tr[id^="job-"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[id^="job-"][data-state="done"] .file a`)),
	)
	if got := browsertest.Text(t, ctx, `tr[id^="job-"] .state`); got != "可以下载" {
		t.Errorf("the job's state reads %q", got)
	}
	if got := browsertest.Text(t, ctx, `tr[id^="job-"] td[data-label="导出内容"]`); got == "" {
		t.Error("the job names nothing")
	}
}
