package overviewapp_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// TestBrowserChartsDraw opens the office's charts on a desktop and a
// unit's charts on a phone in Chromium, under the content security policy:
// every chart is drawn (an <svg> in each .chart), nothing is reported on
// the console, and the phone's page is no wider than its screen.
func TestBrowserChartsDraw(t *testing.T) {
	w := newChartWorld(t)
	w.rollUp(t)
	ctx := browser.New(t, browser.Options{Width: 1440, Height: 900})
	errs := browsertest.WatchConsole(t, ctx)
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	for _, path := range []string{"/console/charts", "/console/charts?days=365", "/console/units/" + apptest.Itoa(w.A.ID) + "/charts"} {
		browsertest.Do(t, ctx, "open "+path, chromedp.Navigate(w.App.URL+path))
		if n := browsertest.PageChartsDrawn(t, ctx, path); n < 5 {
			t.Errorf("%s: %d charts drawn", path, n)
		}
		errs.Check(t, path)
	}

	const phone = 375
	pctx := browser.New(t, browser.Options{Width: phone, Height: 800})
	perrs := browsertest.WatchConsole(t, pctx)
	browsertest.SignIn(t, pctx, w.App.URL, "unit-a", "unit-pass-1")
	browsertest.Do(t, pctx, "open the home page", chromedp.Navigate(w.App.URL+"/console"), chromedp.WaitVisible(chromedp.ID("charts-link")))
	// PageChartsDrawn waits for an h1, which the home page has as well.
	browsertest.Do(t, pctx, "follow 统计图表", browsertest.LeadsTo(chromedp.Click(chromedp.ID("charts-link"), chromedp.NodeVisible), "h1"))
	if n := browsertest.PageChartsDrawn(t, pctx, "the unit's charts on a phone"); n != 5 {
		t.Errorf("the unit's charts: %d drawn", n)
	}
	if sw := browsertest.Eval[int](t, pctx, `document.documentElement.scrollWidth`); sw > phone {
		t.Errorf("the unit's charts are %d px wide on a %d px phone", sw, phone)
	}
	if cw := browsertest.Eval[int](t, pctx, `Math.round(document.querySelector('.chart svg').getBoundingClientRect().width)`); cw > phone || cw < 250 {
		t.Errorf("a chart is %d px wide on a %d px phone", cw, phone)
	}
	perrs.Check(t, "the unit's charts on a phone")
}
