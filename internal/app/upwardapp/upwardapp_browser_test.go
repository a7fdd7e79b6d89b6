package upwardapp_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/a11y"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// TestBrowserUpwardPage: on a desktop and a phone the office's 数据上报
// page shows its counts, the failed batch with its resend button and the
// export form, without scrolling sideways. MINYI_SHOTS names a folder to
// keep screenshots in.
func TestBrowserUpwardPage(t *testing.T) {
	w := newWorld(t)
	for _, width := range []int64{1440, 375} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		browsertest.Do(t, ctx, "open the page from the rating feed", chromedp.Navigate(w.App.URL+"/console/ratings"),
			chromedp.Click(chromedp.CSS(`#upward-link a`)), chromedp.WaitVisible(`#upward-failures`))
		if got := browsertest.Text(t, ctx, "#count-sent"); got != "2" {
			t.Errorf("%d px: 已上报 shows %q", width, got)
		}
		if got := browsertest.Text(t, ctx, "#batch-"+apptest.Itoa(w.failed)+" .d-reason"); got != "接收方拒绝了消息，请检查地址和密钥配置" {
			t.Errorf("%d px: reason %q", width, got)
		}
		if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("#upward-failures button").length`); n != 1 {
			t.Errorf("%d px: %d resend buttons", width, n)
		}
		browsertest.NoSidewaysScroll(t, ctx)
		vs, err := a11y.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range a11y.Serious(vs) {
			t.Errorf("%d px: serious accessibility violation: %s", width, v)
		}
		if dir := os.Getenv("MINYI_SHOTS"); dir != "" {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if err := os.WriteFile(filepath.Join(dir, "upward-"+apptest.Itoa(width)+".png"), png, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}
