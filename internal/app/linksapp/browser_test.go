package linksapp_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserIntegrationPages: the office adds an online integration,
// makes a key (its secret shown once) and reads the list, on a desktop
// and a phone, without sideways scrolling. MINYI_SHOTS keeps screenshots.
func TestBrowserIntegrationPages(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	for _, width := range []int64{1440, 375} {
		px := apptest.Itoa(width)
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		browsertest.Do(t, ctx, "add", chromedp.Navigate(w.App.URL+"/console/rating-links"),
			chromedp.SendKeys(chromedp.ID("li-name"), "省政务服务网"+px),
			chromedp.SendKeys(chromedp.ID("li-origins"), "https://www.example.gov.cn\nhttps://*.zwfw.example.gov.cn"),
			chromedp.Submit(chromedp.ID("li-name")), chromedp.WaitVisible(chromedp.ID("new-key-btn")))
		browsertest.Do(t, ctx, "new key", chromedp.Click(chromedp.ID("new-key-btn")), chromedp.WaitVisible(chromedp.ID("new-secret")))
		if ex := browsertest.Text(t, ctx, "#example-link"); !strings.Contains(ex, "/l?case=") || !strings.Contains(ex, "&sig=") {
			t.Errorf("%s px: example link %q", px, ex)
		}
		browsertest.NoSideways(t, ctx, px+" px new key")
		browsertest.Shot(t, ctx, "link-integration-key-"+px)
		browsertest.Do(t, ctx, "list", chromedp.Navigate(w.App.URL+"/console/rating-links"))
		browsertest.NoSideways(t, ctx, px+" px list")
		browsertest.Shot(t, ctx, "link-integrations-"+px)
	}
}
