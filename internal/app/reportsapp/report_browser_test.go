package reportsapp_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/a11y"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// errorsOf collects the console errors and uncaught exceptions of the tab.
func errorsOf(t *testing.T, ctx context.Context) func() []string {
	var mu sync.Mutex
	var list []string
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				msg = ev.Entry.Text
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
		}
		if msg != "" {
			mu.Lock()
			list = append(list, msg)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), list...) }
}

// The report draws every chart (an SVG in each, marked drawn) without a
// console error or a serious accessibility violation (axe-core), fits a phone's width, and in print media shows no
// navigation nor buttons and starts its sections on new pages.
func TestBrowserReportDrawsItsChartsAndPrints(t *testing.T) {
	w := newReportWorld(t)
	for _, width := range []int64{1440, 375} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		errs := errorsOf(t, ctx)
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		browsertest.Do(t, ctx, "open the report", chromedp.Navigate(w.App.URL+"/console/reports/2026-06"),
			chromedp.WaitVisible(chromedp.CSS(`#chart-daily.chart-drawn svg`)))
		browsertest.Shot(t, ctx, "report-"+strconv.FormatInt(width, 10))
		charts := browsertest.Eval[int](t, ctx, `document.querySelectorAll('.chart').length`)
		drawn := browsertest.Eval[int](t, ctx, `document.querySelectorAll('.chart.chart-drawn svg').length`)
		if charts < 4 || drawn != charts {
			t.Errorf("%d px: %d of %d charts drawn", width, drawn, charts)
		}
		if over := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("the report is %d px wider than a %d px screen", over, width)
		}
		vs, err := a11y.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range a11y.Serious(vs) {
			t.Errorf("%d px: accessibility: %s", width, v)
		}
		if e := errs(); len(e) > 0 {
			t.Errorf("%d px: console errors %v", width, e)
		}
		browsertest.Do(t, ctx, "open the list", chromedp.Navigate(w.App.URL+"/console/reports"), chromedp.WaitVisible(chromedp.ID("quarters")))
		if vs, err = a11y.Check(ctx); err != nil {
			t.Fatal(err)
		}
		for _, v := range a11y.Serious(vs) {
			t.Errorf("%d px: the list's accessibility: %s", width, v)
		}
		if width != 1440 {
			continue
		}
		browsertest.Do(t, ctx, "back to the report", chromedp.Navigate(w.App.URL+"/console/reports/2026-06"),
			chromedp.WaitVisible(chromedp.CSS(`#chart-daily.chart-drawn svg`)))
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if got := browsertest.Eval[string](t, ctx, `[getComputedStyle(document.querySelector('.topbar')).display,
			getComputedStyle(document.querySelector('.rp-tools')).display,
			getComputedStyle(document.getElementById('trends')).breakBefore,
			getComputedStyle(document.querySelector('.rp-units thead')).display].join(' ')`); got != "none none page table-header-group" {
			t.Errorf("print media: %s", got)
		}
	}
}
